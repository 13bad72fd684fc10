using Chronicle.Record.Domain;

namespace Chronicle.Record.Tests.Domain;

public class NhsNumberTests
{
    [Theory]
    [InlineData("9434765919")]
    [InlineData("9434765870")]
    [InlineData("4010232137")]
    [InlineData("9000000009")]
    public void GivenValidNhsNumber_WhenParsed_ThenAccepted(string text)
    {
        Assert.True(NhsNumber.TryParse(text, out var number, out var problem), problem);
        Assert.Equal(text, number.Value);
    }

    [Theory]
    [InlineData("943 476 5919")]
    [InlineData("943-476-5919")]
    [InlineData(" 9434765919 ")]
    public void GivenGroupedNhsNumber_WhenParsed_ThenNormalisedToTenDigits(string text)
    {
        var number = NhsNumber.Parse(text);

        Assert.Equal("9434765919", number.Value);
        Assert.Equal("943 476 5919", number.Formatted);
    }

    [Theory]
    [InlineData("9434765918", "check digit")]
    [InlineData("9434765911", "check digit")]
    [InlineData("1234567890", "check digit")] // the check digit would have to be 10: no valid number has these nine digits
    [InlineData("4444444444", "one digit repeated")]
    [InlineData("0000000000", "one digit repeated")]
    [InlineData("943476591", "10 digits")]
    [InlineData("94347659190", "10 digits")]
    [InlineData("943 476-5919", "10 digits")]
    [InlineData("94347659l9", "10 digits")]
    [InlineData("", "10 digits")]
    [InlineData(null, "10 digits")]
    public void GivenInvalidNhsNumber_WhenParsed_ThenRefusedWithReason(string? text, string reason)
    {
        Assert.False(NhsNumber.TryParse(text, out _, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenNumberWhoseRemainderGivesTen_WhenParsed_ThenRefusedWhateverItsLastDigit()
    {
        // 123456789: sum of digit x weight (10..2) is 210, 210 % 11 = 1, 11 - 1 = 10: no check digit fits.
        for (var last = 0; last <= 9; last++)
            Assert.False(NhsNumber.TryParse($"123456789{last}", out _));
    }
}
