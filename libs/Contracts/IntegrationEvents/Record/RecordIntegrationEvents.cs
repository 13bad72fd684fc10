using System.Text.Json.Serialization;

namespace Chronicle.Contracts.IntegrationEvents.Record;

/// <summary>The topics the Record service publishes its integration events to.</summary>
public static class RecordTopics
{
    /// <summary>Every Record integration event, in one topic so a consumer sees one patient's facts through one subscription.</summary>
    public const string Record = "chronicle.record";

    /// <summary>The Record service's app id: the only source its events are accepted from.</summary>
    public const string Owner = "record";
}

/// <summary>
/// What the Record service tells other services, version 1. Each event names the patient and the patient record's
/// version after the fact (<c>RecordVersion</c>): delivery is at-least-once and unordered, so consumers use it to
/// ignore a fact older than one they already hold.
/// </summary>
public static class RecordIntegrationEventsV1
{
    [IntegrationEvent("chronicle.record.patient-registered.v1", RecordTopics.Record, Owner = RecordTopics.Owner)]
    public sealed record PatientRegistered(
        Guid PatientId, long RecordVersion, DateTimeOffset OccurredAt,
        string NhsNumber, string PracticeOds, string FamilyName, IReadOnlyList<string> GivenNames, DateOnly BirthDate);

    [IntegrationEvent("chronicle.record.patient-demographics-updated.v1", RecordTopics.Record, Owner = RecordTopics.Owner)]
    public sealed record PatientDemographicsUpdated(
        Guid PatientId, long RecordVersion, DateTimeOffset OccurredAt,
        string FamilyName, IReadOnlyList<string> GivenNames, DateOnly BirthDate);

    /// <summary>
    /// A clinical entry was added to the record. Kind: problem | observation | allergy | medication | immunisation |
    /// referral | note | family-history, or the name of a kind the record declares beside its event (procedure, …: the
    /// kinds of chronicle.record.v1's RecordedEntry). Code is the entry's coded concept (SNOMED CT or dm+d), absent for
    /// a note.
    /// </summary>
    [IntegrationEvent("chronicle.record.clinical-entry-recorded.v1", RecordTopics.Record, Owner = RecordTopics.Owner)]
    public sealed record ClinicalEntryRecorded(
        Guid PatientId, long RecordVersion, DateTimeOffset OccurredAt,
        Guid EntryId, Guid EncounterId, string Kind, string? CodeSystem, string? Code);

    [IntegrationEvent("chronicle.record.entry-entered-in-error.v1", RecordTopics.Record, Owner = RecordTopics.Owner)]
    public sealed record EntryMarkedEnteredInError(
        Guid PatientId, long RecordVersion, DateTimeOffset OccurredAt, Guid EntryId, string Reason);
}

// Missing or null non-nullable members fail deserialisation, so a malformed event is rejected before any handler runs.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(RecordIntegrationEventsV1.PatientRegistered))]
[JsonSerializable(typeof(RecordIntegrationEventsV1.PatientDemographicsUpdated))]
[JsonSerializable(typeof(RecordIntegrationEventsV1.ClinicalEntryRecorded))]
[JsonSerializable(typeof(RecordIntegrationEventsV1.EntryMarkedEnteredInError))]
public sealed partial class RecordIntegrationEventsJsonContext : JsonSerializerContext
{
    /// <summary>Every Record integration event under its stable name.</summary>
    public static IntegrationEventCatalog Catalog() => new IntegrationEventCatalog()
        .Register(Default.PatientRegistered)
        .Register(Default.PatientDemographicsUpdated)
        .Register(Default.ClinicalEntryRecorded)
        .Register(Default.EntryMarkedEnteredInError);
}
