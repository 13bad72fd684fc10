using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;

namespace Chronicle.Record.Tests.Domain;

public class FamilyHistoryTests
{
    private static readonly Coding BreastCancer = Snomed("254837009", "Malignant neoplasm of breast");

    private static FamilyHistoryEntry MotherHadBreastCancer(int n, int? onsetAge = 52, string? note = "Treated, in remission.") =>
        new(EntryId(n), "MTH", BreastCancer, onsetAge, note);

    [Fact]
    public void GivenRegisteredPatient_WhenFamilyHistoryRecordedInAConsultation_ThenOneEventWithEveryFieldAsGiven()
    {
        RecordSpec.Given(Registered())
            .When(Consultation(MotherHadBreastCancer(1), new FamilyHistoryEntry(EntryId(2), "FTH", Hypertension, null, null)))
            .Then(
                ConsultationRecorded(),
                new FamilyHistoryRecorded(EntryId(1), Encounter, "MTH", BreastCancer, 52, "Treated, in remission."),
                new FamilyHistoryRecorded(EntryId(2), Encounter, "FTH", Hypertension, null, null));
    }

    [Fact]
    public void GivenFamilyHistoryRecorded_WhenFolded_ThenTheRecordHoldsItAsAFamilyHistoryEntry()
    {
        var state = PatientRecordDecider.Fold([Registered(), ConsultationRecorded(),
            new FamilyHistoryRecorded(EntryId(1), Encounter, "MTH", BreastCancer, 52, null)]);

        var entry = Assert.Single(state.EntriesInRecordedOrder);
        Assert.Equal((EntryKind.FamilyHistory, Encounter, 2L), (entry.Kind, entry.EncounterId, entry.RecordedVersion));
    }

    [Fact]
    public void GivenFamilyHistoryEntry_WhenMarkedEnteredInError_ThenMarkedAndNotResolvable()
    {
        var recorded = new object[] { Registered(), ConsultationRecorded(), new FamilyHistoryRecorded(EntryId(1), Encounter, "MTH", BreastCancer, 52, null) };

        RecordSpec.Given(recorded).When(new MarkEnteredInError(Patient, EntryId(1), "wrong relative"))
            .Then(new EntryMarkedEnteredInError(EntryId(1), "wrong relative"));
        var refusal = RecordSpec.Given(recorded).When(new ResolveProblem(Patient, EntryId(1), new DateOnly(2025, 1, 1))).ThenFails<RecordStateException>();
        Assert.Contains("is a family history entry, not a problem", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mother", "entries[0].family_history.relationship")]
    [InlineData("", "entries[0].family_history.relationship")]
    public void GivenRelationshipThatIsNotAnHl7RoleCode_WhenRecorded_ThenRejected(string relationship, string field) =>
        RecordSpec.Given(Registered()).When(Consultation(MotherHadBreastCancer(1) with { Relationship = relationship })).ThenRejects(field, "");

    [Fact]
    public void GivenConditionNotCodedInSnomedCt_WhenRecorded_ThenRejected() =>
        RecordSpec.Given(Registered()).When(Consultation(MotherHadBreastCancer(1) with { Condition = Paracetamol }))
            .ThenRejects("entries[0].family_history.condition.system", "must be http://snomed.info/sct");

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(131)]
    public void GivenOnsetAgeOutsideWholeYearsOfALife_WhenRecorded_ThenRejected(int age) =>
        RecordSpec.Given(Registered()).When(Consultation(MotherHadBreastCancer(1, onsetAge: age)))
            .ThenRejects("entries[0].family_history.onset_age", "from 1 to 130");

    [Fact]
    public void GivenEveryFieldBroken_WhenRecorded_ThenEveryErrorReportedAtOnce()
    {
        var refusal = RecordSpec.Given(Registered())
            .When(Consultation(new FamilyHistoryEntry(EntryId(1), "cousin", Paracetamol, 200, new string('x', RecordRules.MaxNoteLength + 1))))
            .ThenFails<RecordValidationException>();

        Assert.Equal(["entries[0].family_history.relationship", "entries[0].family_history.condition.system",
            "entries[0].family_history.onset_age", "entries[0].family_history.note"], refusal.Errors.Select(e => e.Field));
    }
}
