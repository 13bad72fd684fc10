using Chronicle.Testing;

namespace Chronicle.Audit.Tests.EndToEnd;

/// <summary>The Audit executable's command line: a problem is one sentence and exit code 2; --help lists the settings.</summary>
public sealed class AuditHostCommandTests
{
    [Theory]
    [InlineData("frobnicate", "Unknown command 'frobnicate'")]
    [InlineData("--Chronicle:Storage=mysql", "Chronicle:Storage must be 'sqlite' or 'postgres'; it is 'mysql'.")]
    [InlineData("--Chronicle:Storage=postgres", "ConnectionStrings:Audit is not set")]
    [InlineData("--Chronicle:Ports:Http=70000", "Chronicle:Ports:Http must be a TCP port")]
    [InlineData("--Chronicle:Checkpoints:EveryEntries=0", "Chronicle:Checkpoints:EveryEntries must be 1 or more")]
    public async Task GivenAConfigurationProblem_WhenTheServiceStarts_ThenItSaysWhichSettingAndExitsTwo(string argument, string message)
    {
        var run = await ServiceProcess.RunToEndAsync(ChroniclePlatform.AuditDll, [argument], Path.GetTempPath(), new Dictionary<string, string>());

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Chronicle:Transport=dapr", "Chronicle:Auditing:SigningKey is not set: under Dapr every service signs its audit entries")]
    [InlineData("--Chronicle:Auditing:SigningKey=/no/such/key.pem", "Chronicle:Auditing:SigningKey must be an ECDSA P-256 private key in PEM form")]
    [InlineData("--Chronicle:Audit:Emitters:record:PublicKeys:0=/no/such/key.pub.pem", "Chronicle:Audit:Emitters:record:PublicKeys must be public keys")]
    [InlineData("--Chronicle:Transport=dapr --Chronicle:Auditing:SigningKey={key}", "No emitter keys are configured")]
    public async Task GivenAnAuditKeyProblem_WhenTheServiceStarts_ThenItSaysWhichSettingAndExitsTwo(string arguments, string message)
    {
        var folder = Directory.CreateTempSubdirectory("chronicle-audit-keys-").FullName;
        Chronicle.Auditing.AuditSigningKey.LoadOrCreate(Path.Combine(folder, "audit.pem")).Dispose();

        var run = await ServiceProcess.RunToEndAsync(ChroniclePlatform.AuditDll,
            [.. arguments.Replace("{key}", Path.Combine(folder, "audit.pem"), StringComparison.Ordinal).Split(' '),
             "--Chronicle:Security:Disabled=true", $"--Chronicle:DataDirectory={Path.Combine(folder, "data")}"],
            folder, new Dictionary<string, string>());
        Directory.Delete(folder, recursive: true);

        Assert.True(run.ExitCode == 2, run.Errors);
        Assert.Contains(message, run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheExecutable_WhenAskedForHelp_ThenTheUsageListsServeVerifyAndTheSettings()
    {
        var run = await ServiceProcess.RunToEndAsync(ChroniclePlatform.AuditDll, ["--help"], Path.GetTempPath(), new Dictionary<string, string>());

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Chronicle.Audit verify", run.Output, StringComparison.Ordinal);
        Assert.Contains("--Chronicle:Checkpoints:Interval", run.Output, StringComparison.Ordinal);
        Assert.Contains("--Chronicle:Audit:Emitters:SERVICE:PublicKeys:0=PEM", run.Output, StringComparison.Ordinal);
    }
}
