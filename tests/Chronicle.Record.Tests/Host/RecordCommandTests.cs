using Chronicle.Record.Host;

namespace Chronicle.Record.Tests.Host;

public sealed class RecordCommandTests
{
    [Fact]
    public void GivenNoVerb_ThenServeWithEveryArgumentAsConfiguration()
    {
        var command = RecordCommand.Parse(["--Chronicle:Storage=postgres", "Chronicle:Ports:Fhir=0"]);

        var serve = Assert.IsType<ServeCommand>(command);
        Assert.Equal(0, serve.DemoPatients);
        Assert.Equal(["--Chronicle:Storage=postgres", "Chronicle:Ports:Fhir=0"], serve.ConfigurationArgs);
    }

    [Fact]
    public void GivenServeWithDemo_ThenDemoCountTakenAndTheRestIsConfiguration()
    {
        var serve = Assert.IsType<ServeCommand>(RecordCommand.Parse(["serve", "--demo", "25", "--Chronicle:ListenAnyIp", "true"]));

        Assert.Equal(25, serve.DemoPatients);
        Assert.Equal(["--Chronicle:ListenAnyIp", "true"], serve.ConfigurationArgs);
    }

    [Fact]
    public void GivenGenerate_ThenPatientsSeedAndDayRead()
    {
        var generate = Assert.IsType<GenerateCommand>(RecordCommand.Parse(["generate", "--patients=40", "--seed", "-3", "--today", "2025-01-31"]));

        Assert.Equal((40, -3, new DateOnly(2025, 1, 31)), (generate.Patients, generate.Seed, generate.Today));
        Assert.Empty(generate.ConfigurationArgs);
    }

    [Theory]
    [InlineData("Unknown command 'frobnicate'", "frobnicate")]
    [InlineData("generate needs --patients N", "generate")]
    [InlineData("--patients must be a number of patients", "generate", "--patients", "-1")]
    [InlineData("--today must be a date as yyyy-MM-dd; it is '31/01/2025'", "generate", "--patients", "1", "--today", "31/01/2025")]
    [InlineData("--seed does not go with 'serve'", "serve", "--seed", "1")]
    [InlineData("--demo needs a value", "serve", "--demo")]
    public void GivenBadCommandLine_ThenTheProblemIsNamed(string message, params string[] args)
    {
        var refusal = Assert.Throws<RecordConfigurationException>(() => RecordCommand.Parse(args));

        Assert.Contains(message, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenHelp_ThenHelp() => Assert.IsType<HelpCommand>(RecordCommand.Parse(["generate", "--help"]));
}
