using Chronicle.Record.Host;
using Chronicle.ServiceDefaults;

namespace Chronicle.Record.Tests.Host;

/// <summary>The Record's command line as the shared host reads it with the Record's definition (its verbs and their options).</summary>
public sealed class RecordCommandTests
{
    private static ServiceCommand Parse(params string[] args) => ServiceCommandLine.Parse(args, RecordHost.Definition);

    [Fact]
    public void GivenNoVerb_WhenParsed_ThenServeWithEveryArgumentAsConfiguration()
    {
        var command = Parse("--Chronicle:Storage=postgres", "Chronicle:Ports:Fhir=0");

        Assert.Equal(ServiceCommand.Serve, command.Verb);
        Assert.Null(command.Option("--demo"));
        Assert.Equal(["--Chronicle:Storage=postgres", "Chronicle:Ports:Fhir=0"], command.ConfigurationArgs);
    }

    [Fact]
    public void GivenServeWithDemo_WhenParsed_ThenDemoCountTakenAndTheRestIsConfiguration()
    {
        var serve = Parse("serve", "--demo", "25", "--Chronicle:ListenAnyIp", "true");

        Assert.Equal(ServiceCommand.Serve, serve.Verb);
        Assert.Equal("25", serve.Option("--demo"));
        Assert.Equal(["--Chronicle:ListenAnyIp", "true"], serve.ConfigurationArgs);
    }

    [Fact]
    public void GivenGenerate_WhenParsed_ThenPatientsSeedAndDayRead()
    {
        var generate = Parse("generate", "--patients=40", "--seed", "-3", "--today", "2025-01-31");

        Assert.Equal("generate", generate.Verb);
        Assert.Equal(("40", "-3", "2025-01-31"), (generate.Option("--patients"), generate.Option("--seed"), generate.Option("--today")));
        Assert.Empty(generate.ConfigurationArgs);
    }

    [Fact]
    public void GivenRebuild_WhenParsed_ThenTheProjectionIsNamed()
    {
        var rebuild = Parse("rebuild", "--projection", "record-fhir", "--Chronicle:Security:Disabled=true");

        Assert.Equal(("rebuild", "record-fhir"), (rebuild.Verb, rebuild.Option("--projection")));
        Assert.Equal(["--Chronicle:Security:Disabled=true"], rebuild.ConfigurationArgs);
    }

    [Theory]
    [InlineData("Unknown command 'frobnicate'", "frobnicate")]
    [InlineData("generate needs --patients N", "generate")]
    [InlineData("--patients must be a number of patients", "generate", "--patients", "-1")]
    [InlineData("--today must be a date as yyyy-MM-dd; it is '31/01/2025'", "generate", "--patients", "1", "--today", "31/01/2025")]
    [InlineData("--seed does not go with 'serve'", "serve", "--seed", "1")]
    [InlineData("--demo needs a value", "serve", "--demo")]
    [InlineData("rebuild needs --projection NAME", "rebuild")]
    public void GivenBadCommandLine_WhenParsed_ThenTheProblemIsNamed(string message, params string[] args)
    {
        var refusal = Assert.Throws<ServiceConfigurationException>(() => Parse(args));

        Assert.Contains(message, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenGenerateWithHelp_WhenParsed_ThenItIsHelp() => Assert.True(Parse("generate", "--help").IsHelp);
}
