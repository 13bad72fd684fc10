using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Chronicle.EventStore;

namespace Chronicle.Record.Domain;

// The patient record's events. Each is stored under a stable name ("V1.…"): the CLR type may be
// renamed, the persisted name may not. A new shape gets a new name (V2.…) plus an upcaster.
// Every event of one patient lives on stream "patient-{PatientId:N}".

/// <summary>A coded concept: SNOMED CT (<see cref="CodeSystems.Snomed"/>), dm+d, or another system.</summary>
public sealed record Coding(string System, string Code, string? Display = null);

/// <summary>A measured amount with its UCUM unit code, e.g. (120, "mm[Hg]").</summary>
public sealed record Quantity(decimal Value, string Unit);

public sealed record PersonName(string Family, IReadOnlyList<string> Given, string? Prefix = null);

public sealed record PostalAddress(IReadOnlyList<string> Lines, string? City, string? District, string? PostalCode, string? Country = "GB");

/// <summary>A phone number or e-mail address. System: phone | email | sms; Use: home | work | mobile.</summary>
public sealed record ContactPoint(string System, string Value, string? Use = null);

/// <summary>The demographics a registration or update carries. Gender: male | female | other | unknown.</summary>
public sealed record Demographics(
    PersonName Name,
    DateOnly BirthDate,
    string Gender,
    PostalAddress? Address,
    IReadOnlyList<ContactPoint> Telecom);

/// <summary>The clinician who recorded an entry, as far as the record needs to know them.</summary>
public sealed record Clinician(string Id, string Name, string? Role = null);

/// <summary>The kinds of entry a consultation records, one per <see cref="IEntryRecorded"/> event.</summary>
public enum EntryKind
{
    Problem,
    Observation,
    Allergy,
    MedicationStatement,
    Immunisation,
    Referral,
    Note,
    FamilyHistory,

    /// <summary>A kind declared whole beside its event (<see cref="IDeclaredEntry"/>); the event says which.</summary>
    Declared,
}

/// <summary>An event that records a new entry of the record, within a consultation (its encounter).</summary>
public interface IEntryRecorded
{
    Guid EntryId { get; }
    Guid EncounterId { get; }
}

/// <summary>
/// A kind of entry declared whole beside its event, so that adding one touches three files: this one (the event, its
/// <see cref="EntryKindAttribute"/> and its rules), the projection that shows it as FHIR, and the FHIR resource type it
/// is shown as. A consultation records it through <see cref="DeclaredEntry"/> (on the wire, chronicle.record.v1's
/// RecordedEntry: the kind's name and the event's JSON without its ids); the decider, the gRPC record view and the
/// integration events handle every such kind alike. See docs/adding-a-service.md, "Adding a kind of record entry".
/// </summary>
public interface IDeclaredEntry : IEntryRecorded
{
    /// <summary>The entry's coded concept, if it has one: what its integration event announces.</summary>
    Coding? Code { get; }

    /// <summary>Checks the entry's own fields; <paramref name="field"/> is its path, e.g. "entries[2].procedure".</summary>
    void Validate(ValidationErrors errors, string field, ClinicalDates dates);

    /// <summary>The same entry under the ids the consultation gives it.</summary>
    IDeclaredEntry WithIds(Guid entryId, Guid encounterId);
}

/// <summary>Names a <see cref="IDeclaredEntry"/> kind: its wire and integration-event name ("procedure") and how messages describe one.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class EntryKindAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;
    public string Description { get; } = description;
}

/// <summary>Every declared kind of entry, found once from <see cref="RecordEventsV1"/>.</summary>
public static class DeclaredEntryKinds
{
    private static readonly FrozenDictionary<string, Type> ByName = typeof(RecordEventsV1).GetNestedTypes()
        .Where(t => typeof(IDeclaredEntry).IsAssignableFrom(t))
        .ToFrozenDictionary(t => Attribute(t).Name, StringComparer.Ordinal);

    /// <summary>The kinds' names, in a stable order, for error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. ByName.Keys.Order(StringComparer.Ordinal)];

    public static string NameOf(IDeclaredEntry entry) => Attribute(entry.GetType()).Name;

    public static string Describe(IDeclaredEntry entry) => Attribute(entry.GetType()).Description;

    /// <summary>The kind called <paramref name="name"/>, read from its event's JSON (camelCase, ids left out); null with a reason if it is none.</summary>
    public static IDeclaredEntry? Read(string name, string json, out string? problem)
    {
        if (!ByName.TryGetValue(name ?? "", out var type))
        {
            problem = $"'{name}' is not a kind of record entry; one of {string.Join(", ", Names)}";
            return null;
        }

        try
        {
            if (JsonSerializer.Deserialize(json, RecordEventsJsonContext.Default.GetTypeInfo(type)!) is IDeclaredEntry entry)
            {
                problem = entry.EntryId != Guid.Empty || entry.EncounterId != Guid.Empty
                    ? "leave entryId and encounterId out of the JSON: the entry's ids are the consultation's"
                    : null;
                return problem is null ? entry : null;
            }

            problem = $"a {name} entry needs a JSON object";
        }
        catch (JsonException e)
        {
            problem = $"not a {name} entry: {e.Message}";
        }

        return null;
    }

    /// <summary>The event's JSON, as it is stored.</summary>
    public static string Write(IDeclaredEntry entry) =>
        JsonSerializer.Serialize(entry, RecordEventsJsonContext.Default.GetTypeInfo(entry.GetType())!);

    private static EntryKindAttribute Attribute(Type type) => type.GetCustomAttribute<EntryKindAttribute>()
        ?? throw new InvalidOperationException($"{type.Name} is an IDeclaredEntry without an [EntryKind] naming it.");
}

/// <summary>An event that changes an entry (or an encounter) already recorded.</summary>
public interface IEntryChanged
{
    Guid EntryId { get; }
}

public static class RecordEventsV1
{
    [EventType("V1.PatientRegistered")]
    public sealed record PatientRegistered(Guid PatientId, string NhsNumber, Demographics Demographics, string PracticeOds);

    [EventType("V1.DemographicsUpdated")]
    public sealed record DemographicsUpdated(Guid PatientId, Demographics Demographics);

    /// <summary>An encounter; its entries follow it in the same append, each naming its EncounterId.</summary>
    [EventType("V1.ConsultationRecorded")]
    public sealed record ConsultationRecorded(
        Guid EncounterId, DateTimeOffset Start, DateTimeOffset? End, Clinician Clinician, string PracticeOds,
        string Mode, Coding? Reason);

    /// <summary>ClinicalStatus: active | resolved. Onset and Resolved are clinical (effective) dates.</summary>
    [EventType("V1.ProblemAdded")]
    public sealed record ProblemAdded(Guid EntryId, Guid EncounterId, Coding Code, DateOnly? Onset, string ClinicalStatus, DateOnly? Resolved) : IEntryRecorded;

    [EventType("V1.ProblemResolved")]
    public sealed record ProblemResolved(Guid EntryId, DateOnly Resolved) : IEntryChanged;

    /// <summary>A single value, or components (blood pressure: systolic and diastolic) with no top-level value.</summary>
    [EventType("V1.ObservationRecorded")]
    public sealed record ObservationRecorded(
        Guid EntryId, Guid EncounterId, Coding Code, DateTimeOffset Effective, Quantity? Value, IReadOnlyList<ObservationComponent> Components) : IEntryRecorded;

    public sealed record ObservationComponent(Coding Code, Quantity Value);

    /// <summary>Severity: mild | moderate | severe. Criticality: low | high | unable-to-assess.</summary>
    [EventType("V1.AllergyRecorded")]
    public sealed record AllergyRecorded(
        Guid EntryId, Guid EncounterId, Coding Substance, Coding? Reaction, string? Severity, string Criticality, DateOnly? Onset) : IEntryRecorded;

    /// <summary>A medication the patient takes that was prescribed elsewhere (a MedicationStatement). Medication is a dm+d coding.</summary>
    [EventType("V1.MedicationRecorded")]
    public sealed record MedicationRecorded(Guid EntryId, Guid EncounterId, Coding Medication, string? Dosage, DateOnly? Started) : IEntryRecorded;

    [EventType("V1.ImmunisationGiven")]
    public sealed record ImmunisationGiven(Guid EntryId, Guid EncounterId, Coding Vaccine, DateOnly Occurrence, string? LotNumber) : IEntryRecorded;

    /// <summary>A referral (FHIR ServiceRequest). Priority: routine | urgent | asap | stat.</summary>
    [EventType("V1.ReferralMade")]
    public sealed record ReferralMade(Guid EntryId, Guid EncounterId, Coding Service, Coding? Reason, string Priority, string? Recipient) : IEntryRecorded;

    [EventType("V1.NoteWritten")]
    public sealed record NoteWritten(Guid EntryId, Guid EncounterId, string Text) : IEntryRecorded;

    /// <summary>
    /// A condition one of the patient's relatives has or had (FHIR FamilyMemberHistory). Relationship is an HL7 v3
    /// RoleCode (e.g. MTH mother, FTH father, SIS sister); Condition is SNOMED CT; OnsetAge is the relative's age in
    /// years when it began, when known.
    /// </summary>
    [EventType("V1.FamilyHistoryRecorded")]
    public sealed record FamilyHistoryRecorded(Guid EntryId, Guid EncounterId, string Relationship, Coding Condition, int? OnsetAge, string? Note)
        : IEntryRecorded;

    /// <summary>
    /// A procedure done to the patient (FHIR Procedure, completed): a SNOMED CT procedure code, the date it was performed
    /// when known (in the patient's lifetime, not in the future), and a note.
    /// </summary>
    [EventType("V1.ProcedureRecorded")]
    [EntryKind("procedure", "a procedure")]
    public sealed record ProcedureRecorded(Guid EntryId, Guid EncounterId, Coding Code, DateOnly? Performed, string? Note) : IDeclaredEntry
    {
        public void Validate(ValidationErrors errors, string field, ClinicalDates dates)
        {
            RecordRules.Coding(errors, $"{field}.code", Code, CodeSystems.Snomed);
            if (Performed is { } performed)
                dates.Date(errors, $"{field}.performed", performed);
            RecordRules.Text(errors, $"{field}.note", Note, RecordRules.MaxNoteLength, multiline: true);
        }

        IDeclaredEntry IDeclaredEntry.WithIds(Guid entryId, Guid encounterId) => this with { EntryId = entryId, EncounterId = encounterId };
    }

    /// <summary>Marks any entry (or a whole encounter) as entered in error. The entry stays in history.</summary>
    [EventType("V1.EntryMarkedEnteredInError")]
    public sealed record EntryMarkedEnteredInError(Guid EntryId, string Reason) : IEntryChanged;

    /// <summary>
    /// Claims an NHS number for one patient, on stream "nhs-number-{NhsNumber}", before the registration is appended to
    /// the patient's stream; the stream's last event says who holds the number. It carries the registration it was made
    /// for (the event and its id, appended with the reservation's metadata), so that whoever finds it without its
    /// registration (a crash between the two appends) can complete it. Reservations written before it carried them have
    /// neither. See Chronicle.Record.Application.NhsNumberReservations.
    /// </summary>
    [EventType("V1.NhsNumberReserved")]
    public sealed record NhsNumberReserved(string NhsNumber, Guid PatientId, Guid? RegistrationEventId = null, PatientRegistered? Registration = null);

    /// <summary>Frees an NHS number whose reservation's registration can never be stored. The next reservation may follow.</summary>
    [EventType("V1.NhsNumberReservationReleased")]
    public sealed record NhsNumberReservationReleased(string NhsNumber, Guid PatientId, string Reason);
}

public static class CodeSystems
{
    public const string Snomed = "http://snomed.info/sct";
    public const string DmD = "https://dmd.nhs.uk";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string NhsNumber = "https://fhir.nhs.uk/Id/nhs-number";
    public const string OdsCode = "https://fhir.nhs.uk/Id/ods-organization-code";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RecordEventsV1.PatientRegistered))]
[JsonSerializable(typeof(RecordEventsV1.DemographicsUpdated))]
[JsonSerializable(typeof(RecordEventsV1.ConsultationRecorded))]
[JsonSerializable(typeof(RecordEventsV1.ProblemAdded))]
[JsonSerializable(typeof(RecordEventsV1.ProblemResolved))]
[JsonSerializable(typeof(RecordEventsV1.ObservationRecorded))]
[JsonSerializable(typeof(RecordEventsV1.AllergyRecorded))]
[JsonSerializable(typeof(RecordEventsV1.MedicationRecorded))]
[JsonSerializable(typeof(RecordEventsV1.ImmunisationGiven))]
[JsonSerializable(typeof(RecordEventsV1.ReferralMade))]
[JsonSerializable(typeof(RecordEventsV1.NoteWritten))]
[JsonSerializable(typeof(RecordEventsV1.FamilyHistoryRecorded))]
[JsonSerializable(typeof(RecordEventsV1.ProcedureRecorded))]
[JsonSerializable(typeof(RecordEventsV1.EntryMarkedEnteredInError))]
[JsonSerializable(typeof(RecordEventsV1.NhsNumberReserved))]
[JsonSerializable(typeof(RecordEventsV1.NhsNumberReservationReleased))]
public sealed partial class RecordEventsJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Every record event type (each type in <see cref="RecordEventsV1"/> with an [EventType] name), registered under its
    /// persisted name. The catalogue is declared once, there; this context's [JsonSerializable] list gives each its
    /// serialisation metadata, and registering fails at once, naming the type, if one is left out.
    /// </summary>
    public static EventTypeRegistry CreateRegistry() => new EventTypeRegistry().RegisterAll(typeof(RecordEventsV1), Default);
}
