using Chronicle.Testing;

namespace Chronicle.Record.Host.Tests;

/// <summary>Settings the host cannot use stop it at once with one sentence that names the setting, never a stack trace.</summary>
public sealed class RecordHostConfigurationTests : IClassFixture<SqliteStorages>
{
    private readonly SqliteStorages _storages;

    public RecordHostConfigurationTests(SqliteStorages storages) => _storages = storages;

    [Theory]
    [InlineData("--Chronicle:Storage=mongodb", "Chronicle:Storage must be 'sqlite' or 'postgres'; it is 'mongodb'.")]
    [InlineData("--Chronicle:Storage=postgres", "Chronicle:Storage is 'postgres' but ConnectionStrings:Record is not set")]
    [InlineData("--Chronicle:Ports:Fhir=http", "'Chronicle:Ports:Fhir'")]
    [InlineData("--Chronicle:Ports:Grpc=70000", "Chronicle:Ports:Grpc must be a TCP port")]
    [InlineData("--Chronicle:StateCache:MaxEvents=-1", "Chronicle:StateCache:MaxRecords and MaxEvents must not be negative")]
    public async Task GivenBadSetting_WhenStarted_ThenNonZeroExitAndOneLineNamingIt(string setting, string message)
    {
        var storage = await _storages.ForRecordHostAsync();

        var run = await RecordHostProcess.RunAsync(storage with { Args = [.. storage.Args, setting] }, "serve");

        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output + run.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenNoIdentityAuthority_WhenServed_ThenItRefusesToStartWithOneLine_UnlessSecurityIsDisabledExplicitly()
    {
        var run = await RecordHostProcess.RunAsync(await _storages.ForRecordHostAsync(), "serve");

        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Chronicle:Security:Authority is not set", line, StringComparison.Ordinal);
        Assert.Contains("Chronicle:Security:Disabled=true", line, StringComparison.Ordinal);
        Assert.DoesNotContain("listening on", run.Output, StringComparison.Ordinal);

        await using var open = await RecordHostProcess.StartAsync(await _storages.ForRecordHostAsync());
        Assert.Contains("WARNING: Chronicle Record: Chronicle:Security:Disabled=true: NO ACCESS TOKENS ARE CHECKED", open.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("generate")]
    [InlineData("generate", "--patients", "many")]
    [InlineData("serve", "--seed", "3")]
    public async Task GivenBadCommandLine_WhenRun_ThenNonZeroExitAndOneLine(params string[] args)
    {
        var run = await RecordHostProcess.RunAsync(await _storages.ForRecordHostAsync(), args);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Single(run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", run.Output + run.Errors, StringComparison.Ordinal);
    }
}
