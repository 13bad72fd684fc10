using System.Text.Json.Serialization;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.EventStore;
using Chronicle.Messaging.Publishing;

namespace Chronicle.Messaging.Tests;

// A slice of the Record service's domain events, stored under the same persisted names, so the mapper below is the
// shape the Record service's own mapper takes.
public sealed record PersonName(string Family, IReadOnlyList<string> Given);

public sealed record Demographics(PersonName Name, DateOnly BirthDate, string Gender);

public sealed record Coding(string System, string Code);

public static class TestRecordEvents
{
    [EventType("V1.PatientRegistered")]
    public sealed record PatientRegistered(Guid PatientId, string NhsNumber, Demographics Demographics, string PracticeOds);

    [EventType("V1.DemographicsUpdated")]
    public sealed record DemographicsUpdated(Guid PatientId, Demographics Demographics);

    [EventType("V1.ProblemAdded")]
    public sealed record ProblemAdded(Guid EntryId, Guid EncounterId, Coding Code);

    [EventType("V1.EntryMarkedEnteredInError")]
    public sealed record EntryMarkedEnteredInError(Guid EntryId, string Reason);

    [EventType("V1.NhsNumberReserved")]
    public sealed record NhsNumberReserved(string NhsNumber, Guid PatientId);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TestRecordEvents.PatientRegistered))]
[JsonSerializable(typeof(TestRecordEvents.DemographicsUpdated))]
[JsonSerializable(typeof(TestRecordEvents.ProblemAdded))]
[JsonSerializable(typeof(TestRecordEvents.EntryMarkedEnteredInError))]
[JsonSerializable(typeof(TestRecordEvents.NhsNumberReserved))]
public sealed partial class TestRecordEventsJsonContext : JsonSerializerContext
{
    public static EventTypeRegistry CreateRegistry() => new EventTypeRegistry()
        .Register(Default.PatientRegistered)
        .Register(Default.DemographicsUpdated)
        .Register(Default.ProblemAdded)
        .Register(Default.EntryMarkedEnteredInError)
        .Register(Default.NhsNumberReserved);
}

/// <summary>The record's domain events as integration events: what stays private (NHS number reservations) maps to nothing.</summary>
public sealed class TestRecordMapper : IIntegrationEventMapper
{
    private const string PatientStreamPrefix = "patient-";
    private static readonly EventTypeRegistry Registry = TestRecordEventsJsonContext.CreateRegistry();

    public IEnumerable<object> Map(RecordedEvent recorded)
    {
        if (!recorded.StreamId.StartsWith(PatientStreamPrefix, StringComparison.Ordinal))
            return [];
        var patientId = Guid.ParseExact(recorded.StreamId[PatientStreamPrefix.Length..], "N");
        var version = recorded.StreamVersion;
        var at = recorded.RecordedAt;
        return Registry.Deserialize(recorded) switch
        {
            TestRecordEvents.PatientRegistered e => [new RecordIntegrationEventsV1.PatientRegistered(patientId, version, at,
                e.NhsNumber, e.PracticeOds, e.Demographics.Name.Family, e.Demographics.Name.Given, e.Demographics.BirthDate)],
            TestRecordEvents.DemographicsUpdated e => [new RecordIntegrationEventsV1.PatientDemographicsUpdated(patientId, version, at,
                e.Demographics.Name.Family, e.Demographics.Name.Given, e.Demographics.BirthDate)],
            TestRecordEvents.ProblemAdded e => [new RecordIntegrationEventsV1.ClinicalEntryRecorded(patientId, version, at,
                e.EntryId, e.EncounterId, "problem", e.Code.System, e.Code.Code)],
            TestRecordEvents.EntryMarkedEnteredInError e => [new RecordIntegrationEventsV1.EntryMarkedEnteredInError(patientId, version, at,
                e.EntryId, e.Reason)],
            _ => [],
        };
    }
}

/// <summary>A deterministic workload: patients registered, renamed, given problems, one problem marked in error.</summary>
public sealed class RecordWorkload
{
    private static readonly EventTypeRegistry Registry = TestRecordEventsJsonContext.CreateRegistry();
    private readonly List<(string Stream, EventData Event)> _appends = [];

    private readonly EventMetadata _metadata;

    /// <param name="metadata">What every event carries (none by default).</param>
    public RecordWorkload(int patients, int seed = 7, EventMetadata? metadata = null)
    {
        _metadata = metadata ?? EventMetadata.Empty;
        var random = new Random(seed);
        var perPatient = new List<List<(string, EventData)>>();
        for (var p = 0; p < patients; p++)
        {
            var patientId = Guid.CreateVersion7();
            var stream = $"patient-{patientId:N}";
            var nhsNumber = (9000000000L + p).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var name = new PersonName($"Family{p}", [$"Given{p}"]);
            var birth = new DateOnly(1950 + random.Next(60), 1 + random.Next(12), 1 + random.Next(28));
            var problem1 = Guid.CreateVersion7();
            var events = new List<(string, EventData)>
            {
                ($"nhs-number-{nhsNumber}", Event(new TestRecordEvents.NhsNumberReserved(nhsNumber, patientId))),
                (stream, Event(new TestRecordEvents.PatientRegistered(patientId, nhsNumber, new Demographics(name, birth, "unknown"), "A81001"))),
                (stream, Event(new TestRecordEvents.DemographicsUpdated(patientId, new Demographics(name with { Family = $"Renamed{p}" }, birth, "female")))),
                (stream, Event(new TestRecordEvents.ProblemAdded(problem1, Guid.CreateVersion7(), new Coding("http://snomed.info/sct", "38341003")))),
                (stream, Event(new TestRecordEvents.DemographicsUpdated(patientId, new Demographics(name with { Family = $"Final{p}" }, birth, "female")))),
                (stream, Event(new TestRecordEvents.ProblemAdded(Guid.CreateVersion7(), Guid.CreateVersion7(), new Coding("http://snomed.info/sct", "195967001")))),
                (stream, Event(new TestRecordEvents.EntryMarkedEnteredInError(problem1, "Wrong patient"))),
            };
            perPatient.Add(events);
        }

        // Interleave patients so one page of the log carries many patients' events.
        for (var i = 0; perPatient.Any(events => i < events.Count); i++)
            foreach (var events in perPatient.Where(events => i < events.Count))
                _appends.Add(events[i]);
    }

    public int Count => _appends.Count;

    /// <summary>The CloudEvent ids the relay must publish for the workload: each exactly once in a consumer's effect.</summary>
    public IReadOnlyList<string> ExpectedIntegrationEventIds() =>
        [.. _appends.Where(a => a.Stream.StartsWith("patient-", StringComparison.Ordinal))
            .Select(a => DeterministicEventId.ForIntegrationEvent(a.Event.EventId, IntegrationTypeOf(a.Event.EventType)))
            .Order(StringComparer.Ordinal)];

    /// <summary>Appends events [from, to) one append each, and returns the log position of the last.</summary>
    public async Task<LogPosition> AppendAsync(IEventStore store, int from, int to)
    {
        var last = LogPosition.Start;
        for (var i = from; i < to; i++)
        {
            var (stream, data) = _appends[i];
            last = (await store.AppendAsync(stream, ExpectedVersion.Any, [data])).LastLogPosition;
        }

        return last;
    }

    public Task<LogPosition> AppendAllAsync(IEventStore store) => AppendAsync(store, 0, Count);

    private EventData Event(object @event) => Registry.ToEventData(Guid.CreateVersion7(), @event, _metadata);

    private static string IntegrationTypeOf(string domainType) => domainType switch
    {
        "V1.PatientRegistered" => "chronicle.record.patient-registered.v1",
        "V1.DemographicsUpdated" => "chronicle.record.patient-demographics-updated.v1",
        "V1.ProblemAdded" => "chronicle.record.clinical-entry-recorded.v1",
        "V1.EntryMarkedEnteredInError" => "chronicle.record.entry-entered-in-error.v1",
        _ => throw new ArgumentOutOfRangeException(nameof(domainType), domainType, null),
    };
}
