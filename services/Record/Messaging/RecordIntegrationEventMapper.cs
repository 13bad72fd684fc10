using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.EventStore;
using Chronicle.Messaging.Publishing;
using static Chronicle.Record.Domain.RecordEventsV1;
using V1 = Chronicle.Contracts.IntegrationEvents.Record.RecordIntegrationEventsV1;
using Chronicle.Record.Application;
using Chronicle.Record.Domain;

namespace Chronicle.Record.Messaging;

/// <summary>
/// What the Record tells other services of its committed events: patient facts on <see cref="RecordTopics.Record"/>. What
/// stays inside the service (NHS number reservations, consultations and resolutions, which no contract announces yet)
/// maps to nothing. Its audit entries leave by auditing's own mapping, signed with the Record's key.
/// </summary>
public sealed class RecordIntegrationEventMapper : IIntegrationEventMapper
{
    public IEnumerable<object> Map(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (RecordEvent.TryDecode(recorded) is not { } change)
            return [];
        var (patientId, version, at) = (change.PatientId, recorded.StreamVersion, recorded.RecordedAt);
        return change.Event switch
        {
            PatientRegistered e => [new V1.PatientRegistered(patientId, version, at, e.NhsNumber, e.PracticeOds,
                e.Demographics.Name.Family, e.Demographics.Name.Given, e.Demographics.BirthDate)],
            DemographicsUpdated e => [new V1.PatientDemographicsUpdated(patientId, version, at,
                e.Demographics.Name.Family, e.Demographics.Name.Given, e.Demographics.BirthDate)],
            ProblemAdded e => [Entry(change, e.EntryId, e.EncounterId, "problem", e.Code)],
            ObservationRecorded e => [Entry(change, e.EntryId, e.EncounterId, "observation", e.Code)],
            AllergyRecorded e => [Entry(change, e.EntryId, e.EncounterId, "allergy", e.Substance)],
            MedicationRecorded e => [Entry(change, e.EntryId, e.EncounterId, "medication", e.Medication)],
            ImmunisationGiven e => [Entry(change, e.EntryId, e.EncounterId, "immunisation", e.Vaccine)],
            ReferralMade e => [Entry(change, e.EntryId, e.EncounterId, "referral", e.Service)],
            NoteWritten e => [Entry(change, e.EntryId, e.EncounterId, "note", null)],
            FamilyHistoryRecorded e => [Entry(change, e.EntryId, e.EncounterId, "family-history", e.Condition)],
            IDeclaredEntry e => [Entry(change, e.EntryId, e.EncounterId, DeclaredEntryKinds.NameOf(e), e.Code)],
            EntryMarkedEnteredInError e => [new V1.EntryMarkedEnteredInError(patientId, version, at, e.EntryId, e.Reason)],
            _ => [],
        };
    }

    private static V1.ClinicalEntryRecorded Entry(RecordEvent change, Guid entryId, Guid encounterId, string kind, Domain.Coding? code) =>
        new(change.PatientId, change.Recorded.StreamVersion, change.Recorded.RecordedAt, entryId, encounterId, kind, code?.System, code?.Code);
}
