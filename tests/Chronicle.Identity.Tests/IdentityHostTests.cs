using System.Net;
using System.Text.RegularExpressions;
using Chronicle.Identity.Hosting;
using Chronicle.Testing;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Chronicle.Identity.Tests;

/// <summary>
/// Identity on the shared service host: the health every service has (<c>/healthz</c>, <c>/readyz</c>,
/// <c>grpc.health.v1</c>), its banner as the launcher reads it, and the host's command line and exit codes.
/// </summary>
public sealed partial class IdentityHostTests : IDisposable
{
    private static readonly string IdentityDll = Path.Combine(AppContext.BaseDirectory, "Chronicle.Identity.dll");
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("chronicle-identity-host-").FullName;

    [Fact]
    public async Task GivenAServingIdentity_WhenItsHealthIsAsked_ThenHealthzReadyzAndGrpcHealthAnswerAndTheOldHealthPathIsGone()
    {
        await using var identity = await IdentityInstance.StartAsync();
        using var http = new HttpClient { BaseAddress = identity.Http };
        using var channel = GrpcChannel.ForAddress(identity.Grpc);

        var live = await http.GetAsync("/healthz");
        var ready = await http.GetAsync("/readyz");
        var old = await http.GetAsync("/health");
        var grpc = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, grpc.Status);
    }

    [Fact]
    public async Task GivenTheIdentityExecutableWithDemo_WhenItServes_ThenItsBannerNamesBothListenersAndTheDemoAndItStopsCleanly()
    {
        await using var process = await ServiceProcess.StartAsync(IdentityDll, ["--demo", .. Settings()], _directory,
            new Dictionary<string, string>(), new Dictionary<string, Regex> { ["http"] = HttpLine(), ["grpc"] = GrpcLine() });
        using var http = new HttpClient();

        var ready = await http.GetAsync(new Uri(process["http"], "readyz"));

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains($"{IdentityHost.ListeningBanner}{process["http"]} (OAuth2 / OpenID Connect, issuer {process["http"]})", process.Output,
            StringComparison.Ordinal);
        Assert.Contains("Chronicle Identity storage: SQLite files in", process.Output, StringComparison.Ordinal);
        Assert.Contains("Demo credentials (password for every account:", process.Output, StringComparison.Ordinal);
        Assert.Equal(0, await process.StopAsync());
    }

    [Theory]
    [InlineData("Unknown command 'frobnicate'", "frobnicate")]
    [InlineData("Chronicle:Storage must be 'sqlite' or 'postgres'; it is 'mongodb'.", "--Chronicle:Storage=mongodb")]
    [InlineData("Chronicle:Ports:Http must be a TCP port", "--Chronicle:Ports:Http=70000")]
    [InlineData("Chronicle:Auditing:SigningKey must be an ECDSA P-256 private key", "--Chronicle:Auditing:SigningKey=/no/such/key.pem")]
    public async Task GivenABadCommandLineOrSetting_WhenIdentityRuns_ThenItExitsTwoWithOneLineNamingIt(string message, params string[] args)
    {
        // A verb comes first; a setting last, so it wins over the test's own.
        string[] commandLine = args[0].StartsWith('-') ? [.. Settings(), .. args] : [.. args, .. Settings()];
        var run = await ServiceProcess.RunToEndAsync(IdentityDll, commandLine, _directory, new Dictionary<string, string>());

        Assert.True(run.ExitCode == 2, $"exited {run.ExitCode}: {run.Errors}");
        var line = Assert.Single(run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Chronicle Identity: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.DoesNotContain(IdentityHost.ListeningBanner, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenHelp_WhenRun_ThenTheUsageListsServeTheDemoAndTheSettings()
    {
        var run = await ServiceProcess.RunToEndAsync(IdentityDll, ["--help"], _directory, new Dictionary<string, string>());

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Chronicle.Identity [serve] [--demo]", run.Output, StringComparison.Ordinal);
        Assert.Contains("--Chronicle:ListenAddress", run.Output, StringComparison.Ordinal);
    }

    private string[] Settings() =>
    [
        "--Chronicle:Ports:Http=0", "--Chronicle:Ports:Grpc=0", $"--Chronicle:DataDirectory={_directory}", "--Chronicle:Transport=direct",
        $"--Chronicle:AppId={IdentityHost.AppId}", $"--{TestAppApiToken.Setting}={TestAppApiToken.Value}",
    ];

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(_directory, recursive: true);
    }

    [GeneratedRegex(@"^Chronicle Identity listening on (\S+)")]
    private static partial Regex HttpLine();

    [GeneratedRegex(@"^Chronicle Identity gRPC listening on (\S+)")]
    private static partial Regex GrpcLine();
}
