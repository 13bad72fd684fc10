using System.Globalization;
using System.Text.Json;
using Chronicle.Contracts.Record.V1;
using Chronicle.Fhir;
using Chronicle.Fhir.Search;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Hl7.Fhir.Model;

namespace Chronicle.Audit.Api;

/// <summary>One stored event of a patient's record with who made it, as an auditor reads it.</summary>
public sealed record ReplayedEvent(
    string EventId, string EventType, long Version, string LogPosition, DateTimeOffset RecordedAt, ReplayedProvenance Provenance, JsonElement Data);

public sealed record ReplayedProvenance(
    string? UserId, string? Role, string? OrganisationOds, string? OnBehalfOf, string? ClientId, string? Reason, string? CorrelationId, string? CausationId);

public sealed record ReplayedHistory(string PatientId, IReadOnlyList<ReplayedEvent> Events);

/// <summary>What changed in a patient's record between two moments (both inclusive), and who made each change.</summary>
public sealed record ReplayedChanges(string PatientId, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ReplayedEvent> Changes);

/// <summary>
/// Reads a patient's record from the Record service for replay, over gRPC through Dapr service invocation (or the direct
/// transport): its history with each event's provenance (PatientRecord.GetHistory), and the record as it stood at a moment
/// as FHIR (RecordReplay.GetFhirRecordAsAt, the fold behind Record's own <c>Patient/$everything?_at=</c>). The auditor's
/// identity travels with each call, so the Record audits the replay as an access by that auditor.
/// </summary>
public sealed class RecordReplayClient(PatientRecord.PatientRecordClient records, RecordReplay.RecordReplayClient replay)
{
    private const int PageSize = 1000;

    public async Task<ReplayedHistory> HistoryAsync(string patientId, Metadata caller, CancellationToken cancellationToken)
    {
        var events = new List<ReplayedEvent>();
        long from = 0;
        while (from >= 0)
        {
            var page = await records.GetHistoryAsync(new GetHistoryRequest { PatientId = patientId, FromVersion = from, MaxCount = PageSize },
                caller, cancellationToken: cancellationToken).ConfigureAwait(false);
            events.AddRange(page.Events.Select(Replayed));
            from = page.NextFromVersion;
        }

        return new ReplayedHistory(patientId, events);
    }

    public async Task<ReplayedChanges> ChangesAsync(string patientId, DateTimeOffset from, DateTimeOffset to, Metadata caller,
        CancellationToken cancellationToken)
    {
        var history = await HistoryAsync(patientId, caller, cancellationToken).ConfigureAwait(false);
        return new ReplayedChanges(patientId, from, to, [.. history.Events.Where(e => e.RecordedAt >= from && e.RecordedAt <= to)]);
    }

    /// <summary>The record as it stood at <paramref name="at"/>: a FHIR collection Bundle of every resource then current.</summary>
    public async Task<Bundle> AsAtAsync(string patientId, DateTimeOffset at, string baseUrl, Metadata caller, CancellationToken cancellationToken)
    {
        var record = await replay.GetFhirRecordAsAtAsync(new GetFhirRecordAsAtRequest { PatientId = patientId, Time = Timestamp.FromDateTimeOffset(at) },
            caller, cancellationToken: cancellationToken).ConfigureAwait(false);
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Collection,
            Timestamp = at,
            Meta = new Meta { Tag = [new Hl7.Fhir.Model.Coding("urn:chronicle:replay", "as-at", $"The record of Patient/{patientId} as it stood at {at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}")] },
        };
        foreach (var json in record.ResourcesJson)
        {
            var resource = FhirJson.Deserialize(json);
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = FhirBundles.FullUrl(baseUrl, resource), Resource = resource });
        }

        return bundle;
    }

    /// <summary>A FHIR date or instant parameter as the moment it ends at (a date stands for its whole day), as Record's <c>_at</c> reads it.</summary>
    public static DateTimeOffset? EndOf(string? value, string name) => ParseMoment(value, name, end: true);

    /// <summary>The moment a FHIR date or instant starts at.</summary>
    public static DateTimeOffset? StartOf(string? value, string name) => ParseMoment(value, name, end: false);

    private static DateTimeOffset? ParseMoment(string? value, string name, bool end)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        if (!FhirDateRange.TryParse(value, out var range, out var error))
            throw new ArgumentException($"'{name}': {error}");
        return FhirDateRange.FromMicros(end ? range.High : range.Low);
    }

    private static ReplayedEvent Replayed(HistoryEvent e)
    {
        using var data = JsonDocument.Parse(e.DataJson);
        var p = e.Provenance;
        return new ReplayedEvent(e.EventId, e.EventType, e.Version,
            string.Create(CultureInfo.InvariantCulture, $"{e.LogPosition.Transaction}/{e.LogPosition.Position}"),
            e.RecordedTime.ToDateTimeOffset(),
            new ReplayedProvenance(Text(p.UserId), Text(p.Role), Text(p.OrganisationOds), Text(p.OnBehalfOf), Text(p.ClientId), Text(p.Reason),
                Text(p.CorrelationId), Text(p.CausationId)),
            data.RootElement.Clone());
    }

    private static string? Text(string value) => value.Length == 0 ? null : value;
}
