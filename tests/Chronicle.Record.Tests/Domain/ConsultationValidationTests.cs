using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;

namespace Chronicle.Record.Tests.Domain;

public class ConsultationValidationTests
{
    private static RecordSpec WhenRecorded(params ConsultationEntry[] entries) => RecordSpec.Given(Registered()).When(Consultation(entries));

    private static RecordSpec WhenRecorded(RecordConsultation consultation) => RecordSpec.Given(Registered()).When(consultation);

    [Fact]
    public void GivenNoEntries_WhenConsultationRecorded_ThenRejectedAsEmptyConsultation() =>
        WhenRecorded().ThenRejects("entries", "at least one entry");

    [Fact]
    public void GivenUnitlessObservationValue_WhenConsultationRecorded_ThenRejectedNamingTheField() =>
        WhenRecorded(Note(1), Note(2), Weight(3, unit: "")).ThenRejects("entries[2].observation.value.unit", "UCUM unit is required");

    [Fact]
    public void GivenObservationWithValueAndComponents_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Weight(1) with { Components = BloodPressureReading(9).Components })
            .ThenRejects("entries[0].observation", "a value or components, not both");

    [Fact]
    public void GivenObservationWithNeitherValueNorComponents_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Weight(1) with { Value = null }).ThenRejects("entries[0].observation", "needs a value or components");

    [Fact]
    public void GivenBloodPressureWithoutDiastolic_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(BloodPressureReading(1) with { Components = [BloodPressureReading(1).Components[0]] })
            .ThenRejects("entries[0].observation.components", "a blood pressure needs a systolic (271649006) and a diastolic (271650006)");

    [Fact]
    public void GivenBloodPressureInWrongUnit_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(BloodPressureReading(1, diastolicUnit: "kPa")).ThenRejects("entries[0].observation.components", "both in mm[Hg]");

    [Fact]
    public void GivenOversizedNote_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Note(1, new string('x', 10_001))).ThenRejects("entries[0].note.text", "an oversized note (10,001 characters; at most 10,000)");

    [Fact]
    public void GivenNoteOfExactlyTheLimit_WhenConsultationRecorded_ThenAccepted() =>
        Assert.Equal(2, WhenRecorded(Note(1, new string('x', 10_000))).Decide().Count);

    [Fact]
    public void GivenEmptyNote_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Note(1, "  ")).ThenRejects("entries[0].note.text", "a note needs text");

    [Fact]
    public void GivenDuplicateEntryIds_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Note(1), Note(2), Note(1)).ThenRejects("entries[2].entry_id", "also the id of entries[0]");

    [Fact]
    public void GivenEntryIdAlreadyInRecord_WhenConsultationRecorded_ThenRejected() =>
        RecordSpec.Given(Registered(), ConsultationRecorded(), ProblemAdded(1))
            .When(Consultation(Note(1)) with { EncounterId = Guid.NewGuid() })
            .ThenRejects("entries[0].entry_id", "already has an entry or encounter");

    [Fact]
    public void GivenEncounterIdAlreadyInRecord_WhenConsultationRecorded_ThenRejected() =>
        RecordSpec.Given(Registered(), ConsultationRecorded(), ProblemAdded(1))
            .When(Consultation(Note(2)))
            .ThenRejects("encounter_id", "already has an entry or encounter");

    [Fact]
    public void GivenBlankCode_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Problem(1, Snomed(""))).ThenRejects("entries[0].problem.code.code", "a code is required");

    [Fact]
    public void GivenBlankSystem_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Problem(1, new Coding(" ", "38341003"))).ThenRejects("entries[0].problem.code.system", "a code system is required");

    [Fact]
    public void GivenSnomedCodeWithWrongCheckDigit_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Problem(1, Snomed("38341004"))).ThenRejects("entries[0].problem.code.code", "'38341004' is not a valid SNOMED CT concept id");

    [Fact]
    public void GivenInvalidDmdCode_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Medication(1) with { Medication = DmD("39720311000001102") })
            .ThenRejects("entries[0].medication_statement.medication.code", "not a valid dm+d concept id");

    [Fact]
    public void GivenMedicationCodedOutsideDmd_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Medication(1) with { Medication = Snomed("38341003") })
            .ThenRejects("entries[0].medication_statement.medication.system", "must be https://dmd.nhs.uk");

    [Fact]
    public void GivenOtherCodeSystem_WhenConsultationRecorded_ThenCodeNotCheckedAsSnomed() =>
        Assert.Equal(2, WhenRecorded(Weight(1) with { Code = new Coding("http://loinc.org", "29463-7") }).Decide().Count);

    [Fact]
    public void GivenOnsetInTheFuture_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Problem(1, onset: new DateOnly(2025, 6, 4))).ThenRejects("entries[0].problem.onset_date", "2025-06-04 is in the future");

    [Fact]
    public void GivenOnsetBeforeBirth_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Problem(1, onset: new DateOnly(1980, 4, 11))).ThenRejects("entries[0].problem.onset_date", "before the patient's birth date (1980-04-12)");

    [Fact]
    public void GivenEffectiveTimeWithinClockSkew_WhenConsultationRecorded_ThenAccepted() =>
        Assert.Equal(2, WhenRecorded(Weight(1) with { Effective = Now.AddMinutes(4) }).Decide().Count);

    [Fact]
    public void GivenEffectiveTimeBeyondClockSkew_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Weight(1) with { Effective = Now.AddMinutes(6) }).ThenRejects("entries[0].observation.effective", "is in the future");

    [Fact]
    public void GivenImmunisationInTheFuture_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Immunisation(1) with { Occurrence = new DateOnly(2026, 1, 1) }).ThenRejects("entries[0].immunisation.occurrence_date", "in the future");

    [Fact]
    public void GivenMedicationStartedBeforeBirth_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Medication(1) with { Started = new DateOnly(1970, 1, 1) })
            .ThenRejects("entries[0].medication_statement.effective_date", "before the patient's birth date");

    [Fact]
    public void GivenConsultationStartInTheFuture_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Consultation(Note(1)) with { Start = Now.AddHours(1), End = null }).ThenRejects("start", "is in the future");

    [Fact]
    public void GivenConsultationEndingBeforeItStarts_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Consultation(Note(1)) with { End = ConsultationStart.AddMinutes(-1) }).ThenRejects("end", "cannot end before it starts");

    [Theory]
    [InlineData("Active")]
    [InlineData("inactive")]
    public void GivenUnknownClinicalStatus_WhenConsultationRecorded_ThenRejected(string status) =>
        WhenRecorded(Problem(1, status: status)).ThenRejects("entries[0].problem.clinical_status", $"'{status}' is not one of active | resolved");

    [Fact]
    public void GivenActiveProblemWithAbatementDate_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Problem(1, resolved: new DateOnly(2025, 6, 1))).ThenRejects("entries[0].problem.abatement_date", "only a resolved problem");

    [Fact]
    public void GivenUnknownCriticality_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Allergy(1) with { Criticality = "severe" }).ThenRejects("entries[0].allergy.criticality", "not one of low | high | unable-to-assess");

    [Fact]
    public void GivenMissingCriticality_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Allergy(1) with { Criticality = "" }).ThenRejects("entries[0].allergy.criticality", "a value is required");

    [Fact]
    public void GivenUnknownSeverity_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Allergy(1) with { Severity = "fatal" }).ThenRejects("entries[0].allergy.severity", "not one of mild | moderate | severe");

    [Fact]
    public void GivenAllergyWithoutSeverity_WhenConsultationRecorded_ThenAccepted() =>
        Assert.Equal(2, WhenRecorded(Allergy(1) with { Severity = null }).Decide().Count);

    [Fact]
    public void GivenUnknownPriority_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Referral(1) with { Priority = "soon" }).ThenRejects("entries[0].referral.priority", "not one of routine | urgent | asap | stat");

    [Fact]
    public void GivenUnknownMode_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Consultation(Note(1)) with { Mode = "carrier-pigeon" }).ThenRejects("mode", "not one of");

    [Fact]
    public void GivenLowerCaseServiceProviderOds_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Consultation(Note(1)) with { ServiceProviderOds = "a81001" }).ThenRejects("service_provider_ods", "3 to 10 upper-case letters and digits");

    [Fact]
    public void GivenPractitionerWithoutName_WhenConsultationRecorded_ThenRejected() =>
        WhenRecorded(Consultation(Note(1)) with { Practitioner = new Clinician("G1", "") }).ThenRejects("practitioner.name", "is required");

    [Fact]
    public void GivenBrokenEntries_WhenConsultationRecorded_ThenNothingIsDecidedAndEveryErrorIsReported()
    {
        var refusal = WhenRecorded(Note(1), Weight(2, unit: ""), Problem(3, Snomed("1")), Note(4, ""))
            .ThenFails<RecordValidationException>();

        Assert.Equal(
            ["entries[1].observation.value.unit", "entries[2].problem.code.code", "entries[3].note.text"],
            refusal.Errors.Select(e => e.Field));
    }
}
