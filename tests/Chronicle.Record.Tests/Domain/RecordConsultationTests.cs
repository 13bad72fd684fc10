using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;

namespace Chronicle.Record.Tests.Domain;

public class RecordConsultationTests
{
    [Fact]
    public void GivenRegisteredPatient_WhenConsultationRecorded_ThenEncounterThenOneEventPerEntryInOrder()
    {
        var bp = BloodPressureReading(2);
        RecordSpec.Given(Registered())
            .When(Consultation(Note(1), bp, Problem(3), Weight(4), Allergy(5), Medication(6), Immunisation(7), Referral(8)))
            .Then(
                ConsultationRecorded(),
                new NoteWritten(EntryId(1), Encounter, "Discussed lifestyle changes."),
                new ObservationRecorded(EntryId(2), Encounter, BloodPressure, ConsultationStart, null, bp.Components),
                new ProblemAdded(EntryId(3), Encounter, Hypertension, new DateOnly(2025, 5, 20), "active", null),
                new ObservationRecorded(EntryId(4), Encounter, BodyWeight, ConsultationStart, new Quantity(72.5m, "kg"), []),
                new AllergyRecorded(EntryId(5), Encounter, Penicillin, Anaphylaxis, "severe", "high", new DateOnly(1999, 1, 1)),
                new MedicationRecorded(EntryId(6), Encounter, Paracetamol, "one tablet daily", new DateOnly(2025, 1, 6)),
                new ImmunisationGiven(EntryId(7), Encounter, FluVaccine, new DateOnly(2025, 6, 2), "FL1234"),
                new ReferralMade(EntryId(8), Encounter, CardiologyReferral, Hypertension, "routine", "Leeds General Infirmary"));
    }

    [Fact]
    public void GivenObservationWithoutEffectiveTime_WhenRecorded_ThenEffectiveIsTheConsultationStart()
    {
        var events = RecordSpec.Given(Registered()).When(Consultation(Weight(1))).Decide();

        Assert.Equal(ConsultationStart, Assert.IsType<ObservationRecorded>(events[1]).Effective);
    }

    [Fact]
    public void GivenValuesWithTrailingZeros_WhenRecorded_ThenStoredExactlyAsGiven()
    {
        var events = RecordSpec.Given(Registered()).When(Consultation(Weight(1, kg: 72.50m))).Decide();

        Assert.Contains("\"value\":72.50", RecordSpec.Stored(events[1]), StringComparison.Ordinal);
    }

    [Fact]
    public void GivenResolvedProblemWithAbatementDate_WhenRecorded_ThenKeptResolved() =>
        RecordSpec.Given(Registered())
            .When(Consultation(Problem(1, Asthma, "resolved", new DateOnly(1990, 1, 1), new DateOnly(2010, 1, 1))))
            .Then(ConsultationRecorded(), new ProblemAdded(EntryId(1), Encounter, Asthma, new DateOnly(1990, 1, 1), "resolved", new DateOnly(2010, 1, 1)));

    [Fact]
    public void GivenNoRecord_WhenConsultationRecorded_ThenPatientNotFound() =>
        RecordSpec.Given().When(Consultation(Note(1))).ThenFails<PatientNotFoundException>();

    [Fact]
    public void GivenTelephoneConsultationWithReason_WhenRecorded_ThenModeAndReasonKept() =>
        RecordSpec.Given(Registered())
            .When(Consultation(Note(1)) with { Mode = "telephone", Reason = Snomed("185317003", "Telephone encounter"), End = null })
            .Then(
                new ConsultationRecorded(Encounter, ConsultationStart, null, Gp, Practice, "telephone", Snomed("185317003", "Telephone encounter")),
                new NoteWritten(EntryId(1), Encounter, "Discussed lifestyle changes."));
}
