using Chronicle.Record.Domain;
using Chronicle.Record.Synthetic;
using Chronicle.Record.Tests.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Tests.Synthetic;

public sealed class SyntheticRecordsTests
{
    private static readonly DateOnly Today = new(2025, 1, 1);

    [Fact]
    public void GivenOneSeed_WhenNhsNumbersAreGenerated_ThenTheyAreValidAndNoTwoPatientsShareOne()
    {
        var records = new SyntheticRecords(seed: 5, Today);

        var numbers = Enumerable.Range(0, 20_000).Select(records.NhsNumberOf).ToList();

        Assert.All(numbers, n => Assert.True(NhsNumber.TryParse(n, out _), n));
        Assert.All(numbers, n => Assert.StartsWith("999", n, StringComparison.Ordinal));
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
    }

    [Fact]
    public void GivenOneSeed_WhenAPatientIsGenerated_ThenRegistrationCarriesTheSeedsNhsNumberAndEveryAppendHasItsOwnCommandId()
    {
        var records = new SyntheticRecords(seed: 5, Today);

        var appends = records.Patient(3);

        Assert.Equal(records.NhsNumberOf(3), Assert.IsType<PatientRegistered>(appends[0].Events[0]).NhsNumber);
        Assert.Equal(appends.Count, appends.Select(a => a.CommandId).Distinct().Count());
        Assert.All(appends, a => Assert.Equal(a.CommandId.ToString(), a.Metadata.CausationId));
    }

    [Fact]
    public void GivenSameSeedAndDay_WhenAPatientIsGenerated_ThenSamePatientsAsEveryOtherProcessGets()
    {
        // A value fixed in the test, so a seed that varied per process (as HashCode's does) would fail here.
        var first = new SyntheticRecords(seed: 1, Today).Patient(0);

        Assert.Equal(Guid.Parse("48caf4d2-ef1d-4642-b1b5-6dc45acf333e"), first[0].PatientId);
        Assert.Equal(first.Select(a => a.CommandId), new SyntheticRecords(seed: 1, Today).Patient(0).Select(a => a.CommandId));
    }

    [Fact]
    public void GivenGeneratedPatients_WhenEachAppendIsDecidedAgain_ThenItIsWhatTheCommandsWouldHaveDecided()
    {
        // The writer bypasses the commands, so the data must pass every rule they apply (names, free text, UCUM units, dates).
        var records = new SyntheticRecords(seed: 11, Today);
        var now = new DateTimeOffset(Today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

        for (var index = 0; index < 40; index++)
        {
            var state = PatientRecordState.Initial;
            foreach (var append in records.Patient(index))
            {
                var decided = PatientRecordDecider.Decide(state, CommandFor(append), now);
                Assert.Equal(append.Events.Select(RecordSpec.Stored), decided.Select(RecordSpec.Stored));
                state = append.Events.Aggregate(state, PatientRecordDecider.Evolve);
            }
        }
    }

    private static PatientRecordCommand CommandFor(SyntheticAppend append)
    {
        var patient = new PatientId(append.PatientId);
        return append.Events[0] switch
        {
            PatientRegistered e => new RegisterPatient(patient, e.NhsNumber, e.Demographics, e.PracticeOds),
            ConsultationRecorded c => new RecordConsultation(patient, c.EncounterId, c.Start, c.End, c.Clinician, c.PracticeOds, c.Mode, c.Reason,
                append.Events.Skip(1).Select(EntryFor).ToArray()),
            ProblemResolved e => new ResolveProblem(patient, e.EntryId, e.Resolved),
            EntryMarkedEnteredInError e => new MarkEnteredInError(patient, e.EntryId, e.Reason),
            var other => throw new InvalidOperationException($"No command makes {other.GetType().Name} first."),
        };
    }

    private static ConsultationEntry EntryFor(object recorded) => recorded switch
    {
        ProblemAdded e => new ProblemEntry(e.EntryId, e.Code, e.Onset, e.ClinicalStatus, e.Resolved),
        ObservationRecorded e => new ObservationEntry(e.EntryId, e.Code, e.Effective, e.Value, e.Components),
        AllergyRecorded e => new AllergyEntry(e.EntryId, e.Substance, e.Reaction, e.Severity, e.Criticality, e.Onset),
        MedicationRecorded e => new MedicationStatementEntry(e.EntryId, e.Medication, e.Dosage, e.Started),
        ImmunisationGiven e => new ImmunisationEntry(e.EntryId, e.Vaccine, e.Occurrence, e.LotNumber),
        ReferralMade e => new ReferralEntry(e.EntryId, e.Service, e.Reason, e.Priority, e.Recipient),
        NoteWritten e => new NoteEntry(e.EntryId, e.Text),
        _ => throw new InvalidOperationException($"{recorded.GetType().Name} is not an entry."),
    };
}
