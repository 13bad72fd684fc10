using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;

namespace Chronicle.Record.Tests.Domain;

public class RegisterPatientTests
{
    [Fact]
    public void GivenNoRecord_WhenRegistered_ThenPatientRegisteredWithNormalisedNhsNumber() =>
        RecordSpec.Given()
            .When(Register(nhsNumber: "943 476 5919"))
            .Then(new PatientRegistered(Patient.Value, "9434765919", Demographics(), Practice));

    [Fact]
    public void GivenRegisteredPatient_WhenTheirIdIsRegisteredAgain_ThenRefusedWithoutSayingThePatientIsRegistered()
    {
        var refusal = RecordSpec.Given(Registered()).When(Register()).ThenFails<PatientIdUnavailableException>();

        Assert.Equal($"Patient id {Patient} cannot be used for a new registration: leave patient_id empty to have one assigned, or choose another.",
            refusal.Message);
    }

    [Fact]
    public void GivenRegisteredPatient_WhenTheirIdIsRegisteredAgainWithBrokenFields_ThenTheFieldsAreReportedAsForAFreeId()
    {
        var taken = RecordSpec.Given(Registered()).When(Register(nhsNumber: "123")).ThenFails<RecordValidationException>();
        var free = RecordSpec.Given().When(Register(nhsNumber: "123")).ThenFails<RecordValidationException>();

        Assert.Equal(free.Message, taken.Message);
    }

    [Theory]
    [InlineData("9434765918", "check digit")]
    [InlineData("1111111111", "one digit repeated")]
    [InlineData("94347", "10 digits")]
    public void GivenInvalidNhsNumber_WhenRegistered_ThenRejected(string nhsNumber, string reason) =>
        RecordSpec.Given().When(Register(nhsNumber: nhsNumber)).ThenRejects("nhs_number", reason);

    [Fact]
    public void GivenBirthDateInFuture_WhenRegistered_ThenRejected() =>
        RecordSpec.Given().When(Register(demographics: Demographics(birthDate: new DateOnly(2025, 6, 4))))
            .ThenRejects("demographics.birth_date", "in the future");

    [Fact]
    public void GivenBirthDateToday_WhenRegistered_ThenAccepted() =>
        Assert.Single(RecordSpec.Given().When(Register(demographics: Demographics(birthDate: new DateOnly(2025, 6, 2)))).Decide());

    [Fact]
    public void GivenBirthDateBefore1900_WhenRegistered_ThenRejected() =>
        RecordSpec.Given().When(Register(demographics: Demographics(birthDate: new DateOnly(1899, 12, 31))))
            .ThenRejects("demographics.birth_date", "before 1900");

    [Fact]
    public void GivenUnknownGender_WhenRegistered_ThenRejected() =>
        RecordSpec.Given().When(Register(demographics: Demographics() with { Gender = "F" }))
            .ThenRejects("demographics.gender", "'F' is not one of male | female | other | unknown");

    [Fact]
    public void GivenBlankFamilyName_WhenRegistered_ThenRejected() =>
        RecordSpec.Given().When(Register(demographics: Demographics(family: " ")))
            .ThenRejects("demographics.name.family", "a family name is required");

    [Fact]
    public void GivenUnknownTelecomSystem_WhenRegistered_ThenRejected() =>
        RecordSpec.Given().When(Register(demographics: Demographics() with { Telecom = [new ContactPoint("pager", "123")] }))
            .ThenRejects("demographics.telecom[0].system", "'pager' is not one of");

    [Theory]
    [InlineData("a81001")]
    [InlineData("A8")]
    [InlineData("A81001-X")]
    [InlineData("A8100112345")]
    [InlineData("")]
    public void GivenMalformedOdsCode_WhenRegistered_ThenRejected(string ods) =>
        RecordSpec.Given().When(Register(practice: ods)).ThenRejects("general_practice_ods", "ODS code");

    [Fact]
    public void GivenSeveralBrokenRules_WhenRegistered_ThenEveryOneIsReported()
    {
        var refusal = RecordSpec.Given()
            .When(Register(nhsNumber: "123", demographics: Demographics() with { Gender = "x" }, practice: "x"))
            .ThenFails<RecordValidationException>();

        Assert.Equal(["nhs_number", "demographics.gender", "general_practice_ods"], refusal.Errors.Select(e => e.Field));
    }
}
