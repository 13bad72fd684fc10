using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Domain;

/// <summary>
/// The record's rules as pure functions: <see cref="Decide"/> turns a command into events (or refuses it)
/// and <see cref="Evolve"/> folds an event into the state. No I/O, no clock but the one passed in.
/// </summary>
public static class PatientRecordDecider
{
    public static IReadOnlyList<object> Decide(PatientRecordState state, PatientRecordCommand command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(command);
        if (command is RegisterPatient register)
            return Register(state, register, now);

        if (!state.Exists)
            throw new PatientNotFoundException(command.PatientId);
        return command switch
        {
            UpdateDemographics update => UpdateDemographics(state, update, now),
            RecordConsultation consultation => RecordConsultation(state, consultation, now),
            ResolveProblem resolve => ResolveProblem(state, resolve, now),
            MarkEnteredInError mark => MarkEnteredInError(state, mark),
            _ => throw new ArgumentException($"{command.GetType().Name} is not a patient record command.", nameof(command)),
        };
    }

    public static PatientRecordState Evolve(PatientRecordState state, object @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        var version = state.Version + 1;
        var next = state with { Version = version };
        return @event switch
        {
            PatientRegistered e => next with
            {
                Exists = true,
                PatientId = new PatientId(e.PatientId),
                NhsNumber = NhsNumber.TryParse(e.NhsNumber, out var nhs) ? nhs : null,
                Demographics = e.Demographics,
                GeneralPracticeOds = e.PracticeOds,
            },
            DemographicsUpdated e => next with { Demographics = e.Demographics },
            ConsultationRecorded e => next with { Encounters = next.Encounters.SetItem(e.EncounterId, new EncounterRecord(e, version)) },
            ProblemAdded e => AddEntry(next, new RecordEntry(e.EntryId, e.EncounterId, EntryKind.Problem, e, version)
            {
                ClinicalStatus = e.ClinicalStatus,
                Resolved = e.Resolved,
            }),
            ProblemResolved e => UpdateEntry(next, e.EntryId, entry => entry with { ClinicalStatus = "resolved", Resolved = e.Resolved }),
            ObservationRecorded e => AddEntry(next, new RecordEntry(e.EntryId, e.EncounterId, EntryKind.Observation, e, version)),
            AllergyRecorded e => AddEntry(next, new RecordEntry(e.EntryId, e.EncounterId, EntryKind.Allergy, e, version)),
            MedicationRecorded e => AddEntry(next, new RecordEntry(e.EntryId, e.EncounterId, EntryKind.MedicationStatement, e, version)),
            ImmunisationGiven e => AddEntry(next, new RecordEntry(e.EntryId, e.EncounterId, EntryKind.Immunisation, e, version)),
            ReferralMade e => AddEntry(next, new RecordEntry(e.EntryId, e.EncounterId, EntryKind.Referral, e, version)),
            NoteWritten e => AddEntry(next, new RecordEntry(e.EntryId, e.EncounterId, EntryKind.Note, e, version)),
            FamilyHistoryRecorded e => AddEntry(next, new RecordEntry(e.EntryId, e.EncounterId, EntryKind.FamilyHistory, e, version)),
            IDeclaredEntry e => AddEntry(next, new RecordEntry(e.EntryId, e.EncounterId, EntryKind.Declared, e, version)),
            EntryMarkedEnteredInError e => MarkInError(next, e),
            _ => next,
        };
    }

    public static PatientRecordState Fold(IEnumerable<object> events) => events.Aggregate(PatientRecordState.Initial, Evolve);

    private static IReadOnlyList<object> Register(PatientRecordState state, RegisterPatient command, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        if (!NhsNumber.TryParse(command.NhsNumber, out var nhsNumber, out var problem))
            errors.Add("nhs_number", $"'{command.NhsNumber}' is not a valid NHS number: {problem}");
        RecordRules.Demographics(errors, "demographics", command.Demographics, now);
        RecordRules.OdsCode(errors, "general_practice_ods", command.GeneralPracticeOds);
        errors.ThrowIfAny();

        // Checked after the fields, so a taken id and a free one get the same answer to the same broken request.
        if (state.Exists)
            throw new PatientIdUnavailableException(command.PatientId);

        return [new PatientRegistered(command.PatientId.Value, nhsNumber!.Value, command.Demographics, command.GeneralPracticeOds)];
    }

    private static IReadOnlyList<object> UpdateDemographics(PatientRecordState state, UpdateDemographics command, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        RecordRules.Demographics(errors, "demographics", command.Demographics, now);
        errors.ThrowIfAny();
        return [new DemographicsUpdated(state.PatientId.Value, command.Demographics)];
    }

    /// <summary>The encounter first, then one event per entry in the order given: nothing dropped, reordered or altered.</summary>
    private static IReadOnlyList<object> RecordConsultation(PatientRecordState state, RecordConsultation command, DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        ConsultationRules.Validate(errors, state, command, now);
        errors.ThrowIfAny();

        var encounter = command.EncounterId;
        var events = new List<object>(command.Entries.Count + 1)
        {
            new ConsultationRecorded(encounter, command.Start, command.End, command.Practitioner, command.ServiceProviderOds, command.Mode, command.Reason),
        };
        foreach (var entry in command.Entries)
        {
            events.Add(entry switch
            {
                ProblemEntry p => new ProblemAdded(p.EntryId, encounter, p.Code, p.Onset, p.ClinicalStatus, p.Resolved),
                ObservationEntry o => new ObservationRecorded(o.EntryId, encounter, o.Code, o.Effective ?? command.Start, o.Value, o.Components),
                AllergyEntry a => new AllergyRecorded(a.EntryId, encounter, a.Substance, a.Reaction, a.Severity, a.Criticality, a.Onset),
                MedicationStatementEntry m => new MedicationRecorded(m.EntryId, encounter, m.Medication, m.Dosage, m.Started),
                ImmunisationEntry i => new ImmunisationGiven(i.EntryId, encounter, i.Vaccine, i.Occurrence, i.LotNumber),
                ReferralEntry r => new ReferralMade(r.EntryId, encounter, r.Service, r.Reason, r.Priority, r.Recipient),
                NoteEntry n => new NoteWritten(n.EntryId, encounter, n.Text),
                FamilyHistoryEntry f => new FamilyHistoryRecorded(f.EntryId, encounter, f.Relationship, f.Condition, f.OnsetAge, f.Note),
                DeclaredEntry d => d.Entry.WithIds(d.EntryId, encounter),
                _ => throw new ArgumentException($"Unknown consultation entry {entry.GetType().Name}.", nameof(command)),
            });
        }

        return events;
    }

    private static IReadOnlyList<object> ResolveProblem(PatientRecordState state, ResolveProblem command, DateTimeOffset now)
    {
        var entry = state.Entries.GetValueOrDefault(command.EntryId)
            ?? throw new EntryNotFoundException(command.PatientId, command.EntryId);
        if (entry.Kind != EntryKind.Problem)
            throw new RecordStateException($"Entry {command.EntryId} is {Describe(entry)}, not a problem; only a problem can be resolved.");
        if (entry.EnteredInError)
            throw new RecordStateException($"Problem {command.EntryId} was entered in error; it cannot be resolved.");
        if (entry.ClinicalStatus == "resolved")
            throw new RecordStateException($"Problem {command.EntryId} is already resolved.");

        var errors = new ValidationErrors();
        var onset = ((ProblemAdded)entry.Recorded).Onset;
        if (onset is { } start && command.Resolved < start)
            errors.Add("abatement_date", $"{RecordRules.Iso(command.Resolved)} is before the problem's onset date ({RecordRules.Iso(start)})");
        else
            new ClinicalDates(now, state.Demographics?.BirthDate).Date(errors, "abatement_date", command.Resolved);
        errors.ThrowIfAny();

        return [new ProblemResolved(command.EntryId, command.Resolved)];
    }

    /// <summary>
    /// An encounter entered in error takes its entries with it (the usual case: recorded against the wrong
    /// patient), each with its own event so every reader sees each entry's status without inferring it.
    /// </summary>
    private static IReadOnlyList<object> MarkEnteredInError(PatientRecordState state, MarkEnteredInError command)
    {
        var errors = new ValidationErrors();
        RecordRules.RequiredText(errors, "reason", command.Reason, "a reason", RecordRules.MaxReasonLength);

        if (state.Entries.TryGetValue(command.EntryId, out var entry))
        {
            if (entry.EnteredInError)
                throw new RecordStateException($"Entry {command.EntryId} is already marked entered in error.");
            errors.ThrowIfAny();
            return [new EntryMarkedEnteredInError(command.EntryId, command.Reason!)];
        }

        if (!state.Encounters.TryGetValue(command.EntryId, out var encounter))
            throw new EntryNotFoundException(command.PatientId, command.EntryId);
        if (encounter.EnteredInError)
            throw new RecordStateException($"Encounter {command.EntryId} is already marked entered in error.");
        errors.ThrowIfAny();

        var events = new List<object> { new EntryMarkedEnteredInError(command.EntryId, command.Reason!) };
        events.AddRange(state.EntriesInRecordedOrder
            .Where(e => e.EncounterId == command.EntryId && !e.EnteredInError)
            .Select(e => new EntryMarkedEnteredInError(e.EntryId, command.Reason!)));
        return events;
    }

    private static PatientRecordState AddEntry(PatientRecordState state, RecordEntry entry) =>
        state with { Entries = state.Entries.SetItem(entry.EntryId, entry) };

    private static PatientRecordState UpdateEntry(PatientRecordState state, Guid entryId, Func<RecordEntry, RecordEntry> update) =>
        state.Entries.TryGetValue(entryId, out var entry)
            ? state with { Entries = state.Entries.SetItem(entryId, update(entry)) }
            : state;

    private static PatientRecordState MarkInError(PatientRecordState state, EntryMarkedEnteredInError e)
    {
        if (state.Encounters.TryGetValue(e.EntryId, out var encounter))
            return state with { Encounters = state.Encounters.SetItem(e.EntryId, encounter with { EnteredInError = true, EnteredInErrorReason = e.Reason }) };
        return UpdateEntry(state, e.EntryId, entry => entry with { EnteredInError = true, EnteredInErrorReason = e.Reason });
    }

    private static string Describe(RecordEntry entry) => entry.Kind switch
    {
        EntryKind.Declared => DeclaredEntryKinds.Describe((IDeclaredEntry)entry.Recorded),
        EntryKind.Observation => "an observation",
        EntryKind.Allergy => "an allergy",
        EntryKind.MedicationStatement => "a medication statement",
        EntryKind.Immunisation => "an immunisation",
        EntryKind.Referral => "a referral",
        EntryKind.Note => "a note",
        EntryKind.FamilyHistory => "a family history entry",
        _ => "a problem",
    };
}
