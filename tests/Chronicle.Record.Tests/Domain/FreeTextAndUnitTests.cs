using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;

namespace Chronicle.Record.Tests.Domain;

/// <summary>Every free-text field of every command is plain text within its length; every unit is UCUM.</summary>
public class FreeTextAndUnitTests
{
    private const string ControlCharacter = "contains the control character";

    private static RecordSpec WhenRegistered(Demographics demographics) => RecordSpec.Given().When(Register(demographics: demographics));

    private static RecordSpec WhenRecorded(params ConsultationEntry[] entries) => RecordSpec.Given(Registered()).When(Consultation(entries));

    private static Demographics WithName(PersonName name) => Demographics() with { Name = name };

    public static TheoryData<string> ControlCharacters => ["Smi\0th", "Smith\u0007", "Smi\tth", "Smith\n", "Smith\r", "Smith\u007F", "Smith\u0085"];

    [Theory]
    [MemberData(nameof(ControlCharacters))]
    public void GivenControlCharacterInAFamilyName_WhenRegistered_ThenRejectedNamingTheField(string family) =>
        WhenRegistered(Demographics(family: family)).ThenRejects("demographics.name.family", ControlCharacter);

    [Fact]
    public void GivenNulInAName_WhenDemographicsUpdated_ThenRejected() =>
        RecordSpec.Given(Registered())
            .When(new UpdateDemographics(Patient, WithName(new PersonName("Smith", ["Ja\0ne"], "Mrs"))))
            .ThenRejects("demographics.name.given[0]", "U+0000 at position 3");

    [Fact]
    public void GivenUnpairedSurrogateInAPrefix_WhenRegistered_ThenRejected() =>
        WhenRegistered(WithName(new PersonName("Smith", ["Jane"], "M\uD800rs"))).ThenRejects("demographics.name.prefix", "unpaired surrogate");

    [Fact]
    public void GivenNamesInOtherScripts_WhenRegistered_ThenAccepted() =>
        Assert.Single(WhenRegistered(WithName(new PersonName("Ó Súilleabháin", ["Zoë", "Łucja", "李"], "Ms"))).Decide());

    [Fact]
    public void GivenFamilyNameOfThePdsLimit_WhenRegistered_ThenAcceptedAndOneLongerIsRejected()
    {
        Assert.Single(WhenRegistered(Demographics(family: new string('a', 35))).Decide());
        WhenRegistered(Demographics(family: new string('a', 36))).ThenRejects("demographics.name.family", "at most 35 characters, not 36");
    }

    [Fact]
    public void GivenGivenNameOverThePdsLimit_WhenRegistered_ThenRejected() =>
        WhenRegistered(WithName(new PersonName("Smith", ["Jane", new string('b', 36)]))).ThenRejects("demographics.name.given[1]", "at most 35 characters");

    [Fact]
    public void GivenMoreGivenNamesThanPdsHolds_WhenRegistered_ThenRejected() =>
        WhenRegistered(WithName(new PersonName("Smith", ["A", "B", "C", "D", "E", "F"]))).ThenRejects("demographics.name.given", "at most 5 given names, not 6");

    [Fact]
    public void GivenControlCharacterInAnAddressOrContact_WhenRegistered_ThenEachIsRejected()
    {
        var refusal = WhenRegistered(Demographics() with
        {
            Address = new PostalAddress(["1 High\0Street"], "Le\beds", "West\u001BYorkshire", "LS1\t1AA", "G\0B"),
            Telecom = [new ContactPoint("phone", "0113\0496 0000")],
        }).ThenFails<RecordValidationException>();

        Assert.Equal(
            ["demographics.address.line[0]", "demographics.address.city", "demographics.address.district", "demographics.address.postal_code",
             "demographics.address.country", "demographics.telecom[0].value"],
            refusal.Errors.Select(e => e.Field));
    }

    [Fact]
    public void GivenMoreAddressLinesThanPdsHolds_WhenRegistered_ThenRejected() =>
        WhenRegistered(Demographics() with { Address = new PostalAddress(["1", "2", "3", "4", "5", "6"], "Leeds", null, "LS1 1AA") })
            .ThenRejects("demographics.address.line", "at most 5 lines, not 6");

    [Fact]
    public void GivenNoteWithParagraphsAndTabs_WhenRecorded_ThenAcceptedAsWritten() =>
        WhenRecorded(Note(1, "History:\r\n\tcough for 5 days\n\nPlan: review in a week")).Then(
            ConsultationRecorded(), new NoteWritten(EntryId(1), Encounter, "History:\r\n\tcough for 5 days\n\nPlan: review in a week"));

    [Fact]
    public void GivenNoteWithNul_WhenRecorded_ThenRejected() =>
        WhenRecorded(Note(1, "Reviewed.\0")).ThenRejects("entries[0].note.text", "only tabs and line breaks are allowed");

    [Fact]
    public void GivenControlCharactersInEveryOtherFreeTextOfAConsultation_WhenRecorded_ThenEachIsRejected()
    {
        var refusal = RecordSpec.Given(Registered()).When(Consultation(
            Problem(1, code: Snomed("38341003", "Hyper\0tension")),
            Medication(2) with { Dosage = "one\ntablet" },
            Immunisation(3) with { LotNumber = "FL\01234" },
            Referral(4) with { Recipient = "Leeds\0General" },
            Allergy(5) with { Reaction = new Coding("http://example.org/\0", "x\0y") }) with
        {
            Practitioner = new Clinician("G12\0", "Dr\0Patel", "G\nP"),
            Reason = Snomed("38341003", "\u0001"),
        }).ThenFails<RecordValidationException>();

        Assert.Equal(
            ["practitioner.id", "practitioner.name", "practitioner.role", "reason.display", "entries[0].problem.code.display",
             "entries[1].medication_statement.dosage", "entries[2].immunisation.lot_number", "entries[3].referral.recipient",
             "entries[4].allergy.reaction.system", "entries[4].allergy.reaction.code"],
            refusal.Errors.Select(e => e.Field));
        Assert.All(refusal.Errors, e => Assert.Contains(ControlCharacter, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void GivenReasonWithNul_WhenMarkedEnteredInError_ThenRejected() =>
        RecordSpec.Given(Registered(), ConsultationRecorded(), ProblemAdded(1))
            .When(new MarkEnteredInError(Patient, EntryId(1), "wrong\0patient"))
            .ThenRejects("reason", ControlCharacter);

    [Fact]
    public void GivenDisplayOverItsLimit_WhenRecorded_ThenRejected() =>
        WhenRecorded(Problem(1, code: Snomed("38341003", new string('h', 1_001)))).ThenRejects("entries[0].problem.code.display", "at most 1,000 characters");

    [Theory]
    [InlineData("mm[Hg]")]
    [InlineData("kg")]
    [InlineData("cm")]
    [InlineData("kg/m2")]
    [InlineData("/min")]
    [InlineData("%")]
    [InlineData("mmol/L")]
    [InlineData("mmol/mol")]
    [InlineData("Cel")]
    [InlineData("10*9/L")]
    [InlineData("mL/min/{1.73_m2}")]
    [InlineData("{beats}/min")]
    [InlineData("g/L")]
    [InlineData("[IU]/L")]
    public void GivenCommonClinicalUnit_WhenRecorded_ThenAccepted(string unit) =>
        Assert.Equal(2, WhenRecorded(Weight(1, unit: unit)).Decide().Count);

    [Theory]
    [InlineData("furlongs/fortnight", "'furlongs/fortnight' is not a UCUM unit")]
    [InlineData("mmHg", "'mmHg' is not a UCUM unit")]
    [InlineData("KG", "'KG' is not a UCUM unit")]
    [InlineData("kg/", "a term is missing")]
    [InlineData("kg..m", "a term is missing")]
    [InlineData("k g", "printable ASCII without spaces")]
    [InlineData("kg\0", "printable ASCII without spaces")]
    public void GivenUnitThatIsNotUcum_WhenRecorded_ThenRejectedNamingTheField(string unit, string problem) =>
        WhenRecorded(Note(1), Weight(2, unit: unit)).ThenRejects("entries[1].observation.value.unit", problem);

    [Fact]
    public void GivenComponentUnitThatIsNotUcum_WhenRecorded_ThenRejected() =>
        WhenRecorded(BloodPressureReading(1, diastolicUnit: "millimetres")).ThenRejects("entries[0].observation.components[1].value.unit", "not a UCUM unit");
}
