using Chronicle.Record.Domain;
using Proto = Chronicle.Contracts.Record.V1;

namespace Chronicle.Record.Grpc;

/// <summary>A command read from the wire, with the command id and expected version that travel with it.</summary>
internal sealed record RequestedCommand(PatientRecordCommand Command, Guid CommandId, long? ExpectedVersion);

/// <summary>Turns chronicle.record.v1 requests into domain commands, filling ids the client left out from the command id.</summary>
internal static class ProtoRequests
{
    public static RequestedCommand Read(Proto.RegisterPatientRequest request)
    {
        var read = new RequestReader();
        var commandId = read.CommandId(request.CommandId);
        var patientId = string.IsNullOrEmpty(request.PatientId) ? DerivedIds.Patient(commandId) : read.PatientId(request.PatientId);
        var demographics = read.Demographics("demographics", request.Demographics);
        read.ThrowIfAny();
        return new RequestedCommand(new RegisterPatient(patientId, request.NhsNumber, demographics, request.GeneralPracticeOds), commandId, null);
    }

    public static RequestedCommand Read(Proto.UpdateDemographicsRequest request)
    {
        var read = new RequestReader();
        var commandId = read.CommandId(request.CommandId);
        var patientId = read.PatientId(request.PatientId);
        var expected = read.ExpectedVersion(request.ExpectedVersion);
        var demographics = read.Demographics("demographics", request.Demographics);
        read.ThrowIfAny();
        return new RequestedCommand(new UpdateDemographics(patientId, demographics), commandId, expected);
    }

    public static RequestedCommand Read(Proto.RecordConsultationRequest request)
    {
        var read = new RequestReader();
        var commandId = read.CommandId(request.CommandId);
        var patientId = read.PatientId(request.PatientId);
        var expected = read.ExpectedVersion(request.ExpectedVersion);
        var encounterId = read.OptionalId("encounter_id", request.EncounterId, DerivedIds.Encounter(commandId));
        var start = read.RequiredInstant("start", request.Start, "the consultation's start time");
        var end = read.OptionalInstant("end", request.End);
        var practitioner = request.Practitioner is null
            ? new Clinician("", "")
            : new Clinician(request.Practitioner.Id, request.Practitioner.Name, RequestReader.NullIfEmpty(request.Practitioner.Role));
        var entries = request.Entries.Select((entry, i) => Entry(read, $"entries[{i}]", entry, read.OptionalId($"entries[{i}].entry_id",
            entry.EntryId, DerivedIds.Entry(commandId, i)))).ToArray();
        read.ThrowIfAny();

        var command = new RecordConsultation(patientId, encounterId, start, end, practitioner, request.ServiceProviderOds, request.Mode,
            RequestReader.OptionalCoding(request.Reason), entries!);
        return new RequestedCommand(command, commandId, expected);
    }

    public static RequestedCommand Read(Proto.ResolveProblemRequest request)
    {
        var read = new RequestReader();
        var commandId = read.CommandId(request.CommandId);
        var patientId = read.PatientId(request.PatientId);
        var expected = read.ExpectedVersion(request.ExpectedVersion);
        var entryId = read.RequiredId("entry_id", request.EntryId, "the problem's entry id");
        var resolved = read.RequiredDate("abatement_date", request.AbatementDate, "the date the problem resolved");
        read.ThrowIfAny();
        return new RequestedCommand(new ResolveProblem(patientId, entryId, resolved), commandId, expected);
    }

    public static RequestedCommand Read(Proto.MarkEnteredInErrorRequest request)
    {
        var read = new RequestReader();
        var commandId = read.CommandId(request.CommandId);
        var patientId = read.PatientId(request.PatientId);
        var expected = read.ExpectedVersion(request.ExpectedVersion);
        var entryId = read.RequiredId("entry_id", request.EntryId, "the entry or encounter id");
        read.ThrowIfAny();
        return new RequestedCommand(new MarkEnteredInError(patientId, entryId, request.Reason), commandId, expected);
    }

    private static ConsultationEntry? Entry(RequestReader read, string field, Proto.ConsultationEntry entry, Guid entryId)
    {
        switch (entry.EntryCase)
        {
            case Proto.ConsultationEntry.EntryOneofCase.Problem:
                var problem = entry.Problem;
                return new ProblemEntry(entryId, RequestReader.Coding(problem.Code),
                    read.OptionalDate($"{field}.problem.onset_date", problem.OnsetDate), problem.ClinicalStatus,
                    read.OptionalDate($"{field}.problem.abatement_date", problem.AbatementDate));
            case Proto.ConsultationEntry.EntryOneofCase.Observation:
                var observation = entry.Observation;
                var components = observation.Components.Select((c, i) => new RecordEventsV1.ObservationComponent(RequestReader.Coding(c.Code),
                    read.Quantity($"{field}.observation.components[{i}].value", c.Value)!)).ToArray();
                return new ObservationEntry(entryId, RequestReader.Coding(observation.Code),
                    read.OptionalInstant($"{field}.observation.effective", observation.Effective),
                    read.Quantity($"{field}.observation.value", observation.Value), components);
            case Proto.ConsultationEntry.EntryOneofCase.Allergy:
                var allergy = entry.Allergy;
                return new AllergyEntry(entryId, RequestReader.Coding(allergy.Substance), RequestReader.OptionalCoding(allergy.Reaction),
                    RequestReader.NullIfEmpty(allergy.Severity), allergy.Criticality, read.OptionalDate($"{field}.allergy.onset_date", allergy.OnsetDate));
            case Proto.ConsultationEntry.EntryOneofCase.MedicationStatement:
                var medication = entry.MedicationStatement;
                return new MedicationStatementEntry(entryId, RequestReader.Coding(medication.Medication), RequestReader.NullIfEmpty(medication.Dosage),
                    read.OptionalDate($"{field}.medication_statement.effective_date", medication.EffectiveDate));
            case Proto.ConsultationEntry.EntryOneofCase.Immunisation:
                var immunisation = entry.Immunisation;
                return new ImmunisationEntry(entryId, RequestReader.Coding(immunisation.Vaccine),
                    read.RequiredDate($"{field}.immunisation.occurrence_date", immunisation.OccurrenceDate, "the date it was given"),
                    RequestReader.NullIfEmpty(immunisation.LotNumber));
            case Proto.ConsultationEntry.EntryOneofCase.Referral:
                var referral = entry.Referral;
                return new ReferralEntry(entryId, RequestReader.Coding(referral.Service), RequestReader.OptionalCoding(referral.Reason),
                    referral.Priority, RequestReader.NullIfEmpty(referral.Recipient));
            case Proto.ConsultationEntry.EntryOneofCase.Note:
                return new NoteEntry(entryId, entry.Note.Text);
            case Proto.ConsultationEntry.EntryOneofCase.FamilyHistory:
                var family = entry.FamilyHistory;
                return new FamilyHistoryEntry(entryId, family.Relationship, RequestReader.Coding(family.Condition),
                    family.HasOnsetAge ? family.OnsetAge : null, RequestReader.NullIfEmpty(family.Note));
            case Proto.ConsultationEntry.EntryOneofCase.Recorded:
                if (DeclaredEntryKinds.Read(entry.Recorded.Kind, entry.Recorded.Json, out var refusal) is { } declared)
                    return new DeclaredEntry(entryId, declared);
                read.Reject($"{field}.recorded", refusal!);
                return null;
            default:
                read.Reject(field, ConsultationRules.NeedsAKind);
                return null;
        }
    }
}
