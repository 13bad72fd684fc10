using Chronicle.EventStore;
using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Projection;
using Hl7.Fhir.Model;
using Hl7.Fhir.Validation;
using Coding = Chronicle.Record.Domain.Coding;
using ContactPoint = Chronicle.Record.Domain.ContactPoint;
using Chronicle.Record.Application;

namespace Chronicle.Fhir.Tests;

/// <summary>
/// Given events on one patient's stream, folded through the FHIR builder exactly as the projection does; then the
/// resources they produced. Each event is recorded one minute after the previous one.
/// </summary>
public sealed class RecordScenario
{
    public static readonly DateTimeOffset Start = new(2024, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public static readonly EventMetadata Clinician = new()
    {
        UserId = "G8123456", Role = "GP", OrganisationOds = "A81001", ClientId = "gp-desktop",
        Reason = "Consultation", CorrelationId = "corr-1", CausationId = "cmd-1",
    };

    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();
    private readonly List<RecordedEvent> _events = [];

    public RecordScenario(Guid? patientId = null)
    {
        PatientId = patientId ?? Guid.NewGuid();
        Fold = new PatientRecordFold(PatientId);
    }

    public Guid PatientId { get; }
    public string PatientFhirId => PatientId.ToString("D");
    public PatientRecordFold Fold { get; }
    public IReadOnlyList<RecordedEvent> Events => _events;

    public RecordScenario Given(params object[] events) => GivenBy(Clinician, events);

    public RecordScenario GivenBy(EventMetadata metadata, params object[] events)
    {
        foreach (var @event in events)
        {
            var recorded = Record(@event, metadata);
            _events.Add(recorded);
            Fold.Apply(recorded);
        }

        return this;
    }

    public RecordedEvent Record(object @event, EventMetadata? metadata = null, string? streamId = null)
    {
        var data = Registry.ToEventData(Guid.NewGuid(), @event, metadata ?? Clinician);
        var n = _events.Count;
        return new RecordedEvent(streamId ?? RecordEvent.StreamOf(PatientId), n, n + 1, 1000 + n, data.EventId, data.EventType,
            data.Data, data.Metadata, Start.AddMinutes(n));
    }

    public T Current<T>(Guid id) where T : Resource => Current<T>(id.ToString("D"));

    public T Current<T>(string id) where T : Resource =>
        (T)(Fold.Current.SingleOrDefault(r => r.Id == id)?.Parse() ?? throw new InvalidOperationException($"No resource {id}."));

    public IReadOnlyList<Provenance> Provenances =>
        Fold.Current.Where(r => r.Type == "Provenance").Select(r => (Provenance)r.Parse()).ToList();

    public Provenance LastProvenance => (Provenance)Fold.Versions.Last(v => v.Type == "Provenance").Parse();

    public static void AssertValid(Resource resource)
    {
        var errors = resource.Validate();
        Assert.True(errors.Count == 0,
            $"{resource.TypeName}/{resource.Id} fails POCO validation: {string.Join("; ", errors.Select(e => e.Message))}");
    }
}

/// <summary>Ready-made events for one patient, with fresh ids each time.</summary>
public static class SampleEvents
{
    public static readonly Coding Hypertension = new(CodeSystems.Snomed, "38341003", "Hypertensive disorder");
    public static readonly Coding BloodPressure = new(CodeSystems.Snomed, "75367002", "Blood pressure");
    public static readonly Coding Weight = new(CodeSystems.Snomed, "27113001", "Body weight");
    public static readonly Coding Penicillin = new(CodeSystems.Snomed, "764146007", "Penicillin");
    public static readonly Coding Rash = new(CodeSystems.Snomed, "271807003", "Eruption of skin");
    public static readonly Coding Amlodipine = new(CodeSystems.DmD, "319283006", "Amlodipine 5mg tablets");
    public static readonly Coding FluVaccine = new(CodeSystems.Snomed, "1181000221105", "Influenza vaccine");
    public static readonly Coding Cardiology = new(CodeSystems.Snomed, "183519002", "Referral to cardiology service");

    public static Demographics Demographics(string family = "Smith", string given = "Olivia") => new(
        new PersonName(family, [given, "Grace"], "Mrs"),
        new DateOnly(1956, 4, 12),
        "female",
        new PostalAddress(["1 Park Row"], "Leeds", "West Yorkshire", "LS1 5AB"),
        [new ContactPoint("phone", "0113 496 0000", "home"), new ContactPoint("email", "olivia@example.org")]);

    public static RecordEventsV1.PatientRegistered Registered(Guid patientId, string nhsNumber = "9990001234", string family = "Smith") =>
        new(patientId, nhsNumber, Demographics(family), "A81001");

    public static RecordEventsV1.ConsultationRecorded Consultation(Guid encounterId, string mode = "face-to-face") => new(
        encounterId, RecordScenario.Start, RecordScenario.Start.AddMinutes(10),
        new Clinician("G8123456", "Dr Anna Reid", "GP"), "A81001", mode, Hypertension);
}
