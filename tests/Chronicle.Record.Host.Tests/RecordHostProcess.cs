using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Chronicle.Testing;
using Grpc.Net.Client;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Record.Host.Tests;

/// <summary>What a finished run of the host printed, and how it ended.</summary>
public sealed record HostRun(int ExitCode, string Output, string Errors);

/// <summary>
/// The real Record executable (<c>dotnet Chronicle.Record.dll</c>) as a child process (<see cref="ServiceProcess"/>), serving on
/// free loopback ports and found through the URL lines it prints.
/// </summary>
public sealed partial class RecordHostProcess : IAsyncDisposable
{
    // Not a timing assertion: a guard so a host that never becomes ready fails the test instead of hanging it.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly ServiceProcess _process;

    private RecordHostProcess(ServiceProcess process) => _process = process;

    public Uri FhirBase => new(_process["fhir"] + "/");
    public Uri GrpcAddress => _process["grpc"];

    /// <summary>Everything the host has printed so far, both streams.</summary>
    public string Output => _process.Output;

    public static string HostPath { get; } = typeof(RecordHostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RecordHostPath").Value!;

    /// <summary>
    /// Starts <c>serve</c> (plus <paramref name="args"/>) on free ports and waits for the printed URLs. These tests are
    /// about hosting (storage, ports, health, commands and reads); token enforcement is tested against a real Identity in
    /// Chronicle.Identity.Tests (RecordSecurityTests), so security is switched off here explicitly.
    /// </summary>
    public static async Task<RecordHostProcess> StartAsync(HostStorage storage, params string[] args) =>
        new(await ServiceProcess.StartAsync(HostPath, ["serve", .. args, "--Chronicle:Ports:Fhir=0", "--Chronicle:Ports:Grpc=0",
                "--Chronicle:Security:Disabled=true", .. storage.Args],
            storage.WorkingDirectory, storage.Environment, new Dictionary<string, Regex> { ["fhir"] = FhirLine(), ["grpc"] = GrpcLine() }));

    /// <summary>Runs the executable with <paramref name="args"/> to its end (generate, or a start that must fail).</summary>
    public static async Task<HostRun> RunAsync(HostStorage storage, params string[] args)
    {
        var (exitCode, output, errors) = await ServiceProcess.RunToEndAsync(HostPath, [.. args, .. storage.Args], storage.WorkingDirectory, storage.Environment);
        return new HostRun(exitCode, output, errors);
    }

    public FhirClient CreateFhirClient() => new(FhirBase, new HttpClient(), new FhirClientSettings
    {
        PreferredFormat = ResourceFormat.Json,
        VerifyFhirVersion = false,
        SerializationEngine = FhirSerializationEngineFactory.Strict(ModelInfo.ModelInspector),
    });

    public GrpcChannel CreateGrpcChannel() => GrpcChannel.ForAddress(GrpcAddress);

    /// <summary>A health endpoint (/healthz, /readyz) on the FHIR listener.</summary>
    public Uri Health(string path) => new(FhirBase, path);

    public Uri FhirUrl(string relative) => new(FhirBase, relative);

    /// <summary>Asks /readyz until it answers 200, and returns the last status (the caller asserts it).</summary>
    public async Task<System.Net.HttpStatusCode> WaitUntilReadyAsync()
    {
        using var http = new HttpClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync(Health("/readyz"));
            if (response.IsSuccessStatusCode || deadline.Elapsed > Patience)
                return response.StatusCode;
            await Task.Delay(100);
        }
    }

    /// <summary>Stops the host as an orchestrator would (SIGTERM) and returns its exit code.</summary>
    public Task<int> StopAsync() => _process.StopAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"^Chronicle Record FHIR listening on (\S+)$")]
    private static partial Regex FhirLine();

    [GeneratedRegex(@"^Chronicle Record gRPC listening on (\S+)$")]
    private static partial Regex GrpcLine();
}
