namespace Chronicle.Record.Domain;

/// <summary>The rules a consultation and each of its entries must meet before anything is recorded.</summary>
public static class ConsultationRules
{
    public const string BloodPressure = "75367002";
    public const string SystolicBloodPressure = "271649006";
    public const string DiastolicBloodPressure = "271650006";
    public const string MillimetresOfMercury = "mm[Hg]";

    /// <summary>The oldest age in years a relative's condition can begin at.</summary>
    public const int MaxAge = 130;

    /// <summary>Relatives by HL7 v3 RoleCode (http://terminology.hl7.org/CodeSystem/v3-RoleCode), the codes FamilyMemberHistory uses.</summary>
    public static readonly IReadOnlySet<string> FamilyRelationships = new HashSet<string>(StringComparer.Ordinal)
    {
        "FAMMEMB", "MTH", "FTH", "PRN", "SIB", "SIS", "BRO", "TWIN", "CHILD", "DAU", "SON", "GRMTH", "GRFTH", "GRPRN",
        "AUNT", "UNCLE", "COUSN", "NIECE", "NEPHEW", "HSIB", "HSIS", "HBRO", "GRNDCHILD",
    };

    /// <summary>What an entry that is none of the kinds is told.</summary>
    public static string NeedsAKind { get; } = "an entry needs one of problem, observation, allergy, medication_statement, immunisation, " +
        $"referral, note, family_history or recorded (a kind: {string.Join(", ", DeclaredEntryKinds.Names)})";

    public static void Validate(ValidationErrors errors, PatientRecordState state, RecordConsultation command, DateTimeOffset now)
    {
        var dates = new ClinicalDates(now, state.Demographics?.BirthDate);
        if (state.HasId(command.EncounterId))
            errors.Add("encounter_id", $"the record already has an entry or encounter {command.EncounterId}");
        dates.Instant(errors, "start", command.Start);
        if (command.End is { } end)
        {
            if (end < command.Start)
                errors.Add("end", "the consultation cannot end before it starts");
            else
                dates.Instant(errors, "end", end);
        }

        RecordRules.Clinician(errors, "practitioner", command.Practitioner);
        RecordRules.OdsCode(errors, "service_provider_ods", command.ServiceProviderOds);
        RecordRules.OneOf(errors, "mode", command.Mode, RecordRules.Modes);
        if (command.Reason is not null)
            RecordRules.Coding(errors, "reason", command.Reason);

        if (command.Entries is not { Count: > 0 })
        {
            errors.Add("entries", "a consultation needs at least one entry");
            return;
        }

        var firstIndexOfId = new Dictionary<Guid, int>();
        for (var i = 0; i < command.Entries.Count; i++)
        {
            var entry = command.Entries[i];
            var field = $"entries[{i}]";
            if (firstIndexOfId.TryGetValue(entry.EntryId, out var first))
                errors.Add($"{field}.entry_id", $"{entry.EntryId} is also the id of entries[{first}]");
            else if (entry.EntryId == command.EncounterId)
                errors.Add($"{field}.entry_id", $"{entry.EntryId} is also the encounter's id");
            else if (state.HasId(entry.EntryId))
                errors.Add($"{field}.entry_id", $"the record already has an entry or encounter {entry.EntryId}");
            firstIndexOfId.TryAdd(entry.EntryId, i);
            ValidateEntry(errors, field, entry, dates);
        }
    }

    private static void ValidateEntry(ValidationErrors errors, string field, ConsultationEntry entry, ClinicalDates dates)
    {
        switch (entry)
        {
            case ProblemEntry problem:
                Problem(errors, $"{field}.problem", problem, dates);
                break;
            case ObservationEntry observation:
                Observation(errors, $"{field}.observation", observation, dates);
                break;
            case AllergyEntry allergy:
                RecordRules.Coding(errors, $"{field}.allergy.substance", allergy.Substance);
                if (allergy.Reaction is not null)
                    RecordRules.Coding(errors, $"{field}.allergy.reaction", allergy.Reaction);
                RecordRules.OneOf(errors, $"{field}.allergy.severity", allergy.Severity, RecordRules.Severities, required: false);
                RecordRules.OneOf(errors, $"{field}.allergy.criticality", allergy.Criticality, RecordRules.Criticalities);
                if (allergy.Onset is { } onset)
                    dates.Date(errors, $"{field}.allergy.onset_date", onset);
                break;
            case MedicationStatementEntry medication:
                RecordRules.Coding(errors, $"{field}.medication_statement.medication", medication.Medication, CodeSystems.DmD);
                RecordRules.Text(errors, $"{field}.medication_statement.dosage", medication.Dosage, RecordRules.MaxLineLength);
                if (medication.Started is { } started)
                    dates.Date(errors, $"{field}.medication_statement.effective_date", started);
                break;
            case ImmunisationEntry immunisation:
                RecordRules.Coding(errors, $"{field}.immunisation.vaccine", immunisation.Vaccine);
                dates.Date(errors, $"{field}.immunisation.occurrence_date", immunisation.Occurrence);
                RecordRules.Text(errors, $"{field}.immunisation.lot_number", immunisation.LotNumber, RecordRules.MaxShortTextLength);
                break;
            case ReferralEntry referral:
                RecordRules.Coding(errors, $"{field}.referral.service", referral.Service);
                if (referral.Reason is not null)
                    RecordRules.Coding(errors, $"{field}.referral.reason", referral.Reason);
                RecordRules.OneOf(errors, $"{field}.referral.priority", referral.Priority, RecordRules.Priorities);
                RecordRules.Text(errors, $"{field}.referral.recipient", referral.Recipient, RecordRules.MaxShortTextLength);
                break;
            case NoteEntry note:
                Note(errors, $"{field}.note.text", note.Text);
                break;
            case FamilyHistoryEntry family:
                RecordRules.OneOf(errors, $"{field}.family_history.relationship", family.Relationship, FamilyRelationships);
                RecordRules.Coding(errors, $"{field}.family_history.condition", family.Condition, CodeSystems.Snomed);
                // FHIR's Age is positive: an onset in the first year is left out and said in the note.
                if (family.OnsetAge is < 1 or > MaxAge)
                    errors.Add($"{field}.family_history.onset_age", $"{family.OnsetAge} is not an age in whole years from 1 to {MaxAge}; leave it out when unknown or under a year");
                RecordRules.Text(errors, $"{field}.family_history.note", family.Note, RecordRules.MaxNoteLength, multiline: true);
                break;
            case DeclaredEntry declared:
                declared.Entry.Validate(errors, $"{field}.{DeclaredEntryKinds.NameOf(declared.Entry)}", dates);
                break;
            default:
                errors.Add(field, NeedsAKind);
                break;
        }
    }

    private static void Problem(ValidationErrors errors, string field, ProblemEntry problem, ClinicalDates dates)
    {
        RecordRules.Coding(errors, $"{field}.code", problem.Code);
        RecordRules.OneOf(errors, $"{field}.clinical_status", problem.ClinicalStatus, RecordRules.ProblemStatuses);
        if (problem.Onset is { } onset)
            dates.Date(errors, $"{field}.onset_date", onset);
        if (problem.Resolved is not { } resolved)
            return;
        if (problem.ClinicalStatus != "resolved")
            errors.Add($"{field}.abatement_date", "only a resolved problem has an abatement date");
        else if (problem.Onset is { } start && resolved < start)
            errors.Add($"{field}.abatement_date", $"{RecordRules.Iso(resolved)} is before the onset date ({RecordRules.Iso(start)})");
        else
            dates.Date(errors, $"{field}.abatement_date", resolved);
    }

    private static void Observation(ValidationErrors errors, string field, ObservationEntry observation, ClinicalDates dates)
    {
        RecordRules.Coding(errors, $"{field}.code", observation.Code);
        if (observation.Effective is { } effective)
            dates.Instant(errors, $"{field}.effective", effective);

        var components = observation.Components ?? [];
        if (observation.Value is not null && components.Count > 0)
            errors.Add(field, "an observation has a value or components, not both");
        else if (observation.Value is null && components.Count == 0)
            errors.Add(field, "an observation needs a value or components");

        if (observation.Value is not null)
            RecordRules.Quantity(errors, $"{field}.value", observation.Value);
        for (var i = 0; i < components.Count; i++)
        {
            RecordRules.Coding(errors, $"{field}.components[{i}].code", components[i].Code);
            RecordRules.Quantity(errors, $"{field}.components[{i}].value", components[i].Value);
        }

        if (IsSnomed(observation.Code, BloodPressure))
            BloodPressureComponents(errors, $"{field}.components", components);
    }

    private static void BloodPressureComponents(ValidationErrors errors, string field, IReadOnlyList<RecordEventsV1.ObservationComponent> components)
    {
        bool HasComponent(string code) => components.Any(c => IsSnomed(c.Code, code) && c.Value?.Unit == MillimetresOfMercury);

        if (!HasComponent(SystolicBloodPressure) || !HasComponent(DiastolicBloodPressure))
            errors.Add(field, $"a blood pressure needs a systolic ({SystolicBloodPressure}) and a diastolic ({DiastolicBloodPressure}) " +
                $"component, both in {MillimetresOfMercury}");
    }

    private static void Note(ValidationErrors errors, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            errors.Add(field, "a note needs text");
        else if (text.Length > RecordRules.MaxNoteLength)
            errors.Add(field, $"an oversized note ({text.Length:N0} characters; at most {RecordRules.MaxNoteLength:N0})");
        else
            RecordRules.Text(errors, field, text, RecordRules.MaxNoteLength, multiline: true);
    }

    private static bool IsSnomed(Coding? coding, string code) => coding is { System: CodeSystems.Snomed } && coding.Code == code;
}
