using Chronicle.Record.Domain;

namespace Chronicle.Record.Tests.Domain;

public class SnomedCtIdTests
{
    [Theory]
    [InlineData("38341003")] // hypertension
    [InlineData("73211009")] // diabetes mellitus
    [InlineData("195967001")] // asthma
    [InlineData("75367002")] // blood pressure
    [InlineData("271649006")] // systolic blood pressure
    [InlineData("271650006")] // diastolic blood pressure
    [InlineData("27113001")] // body weight
    [InlineData("91936005")] // allergy to penicillin
    [InlineData("138875005")] // SNOMED CT root concept
    [InlineData("183519002")] // referral to cardiology service
    [InlineData("39720311000001101")] // dm+d: an extension (long-format) id
    [InlineData("1324681000000101")] // UK extension concept
    public void GivenRealConceptId_WhenChecked_ThenValid(string code)
    {
        Assert.True(SnomedCtId.IsValidConceptId(code, out var problem), problem);
    }

    [Theory]
    [InlineData("38341004", "check digit")]
    [InlineData("38341030", "check digit")] // transposed last two digits
    [InlineData("73211008", "check digit")]
    [InlineData("083410035", "leading zero")]
    [InlineData("12345", "6 to 18 digits")]
    [InlineData("1234567890123456789", "6 to 18 digits")]
    [InlineData("38341OO3", "6 to 18 digits")]
    [InlineData("", "6 to 18 digits")]
    [InlineData(null, "6 to 18 digits")]
    public void GivenMalformedId_WhenChecked_ThenRefusedWithReason(string? code, string reason)
    {
        Assert.False(SnomedCtId.IsValidConceptId(code, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenDescriptionId_WhenCheckedAsConcept_ThenRefused()
    {
        // 64176011 is a description id (partition 01) with a valid check digit.
        Assert.True(SnomedCtId.HasValidCheckDigit("64176011"));
        Assert.False(SnomedCtId.IsValidConceptId("64176011", out var problem));
        Assert.Contains("not a concept id", problem, StringComparison.Ordinal);
    }
}
