using Chronicle.Launcher.Platform;

namespace Chronicle.Launcher.Tests;

public sealed class LauncherOptionsTests
{
    [Fact]
    public void GivenNoArguments_WhenParsed_ThenTheDefaultsAreGateway8080AndDataHere()
    {
        var options = LauncherOptions.Parse([]);

        Assert.Equal(8080, options.GatewayPort);
        Assert.Equal(Path.GetFullPath("data"), options.DataDirectory);
        Assert.False(options.Demo);
    }

    [Fact]
    public void GivenEveryOption_WhenParsed_ThenEachIsRead()
    {
        var options = LauncherOptions.Parse(["--demo", "--data", "some/where", "--port=0", "--verbose"]);

        Assert.True(options.Demo);
        Assert.True(options.Verbose);
        Assert.Equal(0, options.GatewayPort);
        Assert.Equal(Path.GetFullPath("some/where"), options.DataDirectory);
    }

    [Theory]
    [InlineData("--port", "http", "--port must be a TCP port")]
    [InlineData("--port", "70000", "--port must be a TCP port")]
    [InlineData("--data", "", "--data needs a folder")]
    [InlineData("--colour", "red", "Unknown option '--colour'")]
    public void GivenABadArgument_WhenParsed_ThenTheMessageNamesIt(string name, string value, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => LauncherOptions.Parse([name, value])).Message, StringComparison.Ordinal);

    [Fact]
    public void GivenAnOptionWithoutItsValue_WhenParsed_ThenTheMessageSaysSo() =>
        Assert.Equal("--data needs a value.", Assert.Throws<FormatException>(() => LauncherOptions.Parse(["--data"])).Message);
}
