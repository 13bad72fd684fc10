using Chronicle.Testing;

namespace Chronicle.Audit.Tests.EndToEnd;

/// <summary>The Audit executable's command line: a problem is one sentence and exit code 2; --help lists the settings.</summary>
public sealed class AuditHostCommandTests
{
    [Theory]
    [InlineData("frobnicate", "unknown command 'frobnicate'")]
    [InlineData("--Chronicle:Storage=mysql", "Chronicle:Storage must be 'sqlite' or 'postgres'; it is 'mysql'.")]
    [InlineData("--Chronicle:Storage=postgres", "ConnectionStrings:Audit is not set")]
    [InlineData("--Chronicle:Ports:Http=70000", "Chronicle:Ports:Http must be a TCP port")]
    [InlineData("--Chronicle:Checkpoints:EveryEntries=0", "Chronicle:Checkpoints:EveryEntries must be 1 or more")]
    public async Task GivenAConfigurationProblem_ThenItSaysWhichSettingAndExitsTwo(string argument, string message)
    {
        var run = await ServiceProcess.RunToEndAsync(ChroniclePlatform.AuditDll, [argument], Path.GetTempPath(), new Dictionary<string, string>());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenHelp_ThenTheUsageListsServeVerifyAndTheSettings()
    {
        var run = await ServiceProcess.RunToEndAsync(ChroniclePlatform.AuditDll, ["--help"], Path.GetTempPath(), new Dictionary<string, string>());

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Chronicle.Audit verify", run.Output, StringComparison.Ordinal);
        Assert.Contains("--Chronicle:Checkpoints:Interval", run.Output, StringComparison.Ordinal);
    }
}
