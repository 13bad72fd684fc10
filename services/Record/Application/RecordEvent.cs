using Chronicle.EventStore;
using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Application;

/// <summary>
/// A patient-record event, decoded, with the patient it belongs to and the one existing resource (if any) it may
/// give a new version to. Knowing that id up front lets the projection load just that resource before building.
/// Kept beside the commands rather than in Fhir/, so messaging and the projection decode events without depending on the API.
/// </summary>
public sealed record RecordEvent(RecordedEvent Recorded, Guid PatientId, object Event)
{
    private static readonly EventTypeRegistry Registry = PatientRecordState.EventTypes;

    /// <summary>The logical id of the resource this event creates or changes.</summary>
    public Guid TouchedId => Event switch
    {
        PatientRegistered => PatientId,
        DemographicsUpdated => PatientId,
        ConsultationRecorded e => e.EncounterId,
        IEntryRecorded e => e.EntryId,
        IEntryChanged e => e.EntryId,
        _ => throw new InvalidOperationException($"{Event.GetType()} is not a record event."),
    };

    /// <summary>
    /// Decodes an event of a <c>patient-{id:N}</c> stream. Returns null for other streams (such as NHS number
    /// reservations) and for event types the record's catalogue does not know (written by a newer version), so they
    /// never stall the projection.
    /// </summary>
    public static RecordEvent? TryDecode(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!TryGetPatientId(recorded.StreamId, out var patientId) || !Registry.IsRegistered(recorded.EventType))
            return null;
        return new RecordEvent(recorded, patientId, Registry.Deserialize(recorded));
    }

    public static bool TryGetPatientId(string streamId, out Guid patientId)
    {
        patientId = Guid.Empty;
        return streamId.StartsWith(Domain.PatientId.StreamPrefix, StringComparison.Ordinal)
            && Guid.TryParseExact(streamId.AsSpan(Domain.PatientId.StreamPrefix.Length), "N", out patientId);
    }

    public static string StreamOf(Guid patientId) => new Domain.PatientId(patientId).StreamName;
}
