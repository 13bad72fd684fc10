using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Record.Host.Tests;

/// <summary>What a finished run of the host printed, and how it ended.</summary>
public sealed record HostRun(int ExitCode, string Output, string Errors);

/// <summary>
/// The real Record executable (<c>dotnet Chronicle.Record.dll</c>) as a child process, serving on free loopback ports and
/// found through the URL lines it prints. The process is killed on dispose, and when the test run ends however it ends.
/// </summary>
public sealed partial class RecordHostProcess : IAsyncDisposable
{
    // Not a timing assertion: a guard so a host that never comes up fails the test instead of hanging it.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static RecordHostProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Values)
            Kill(process);
    };

    private RecordHostProcess(Process process) => _process = process;

    public Uri FhirBase { get; private set; } = null!;
    public Uri GrpcAddress { get; private set; } = null!;

    /// <summary>Everything the host has printed so far, both streams.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static string HostPath { get; } = typeof(RecordHostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RecordHostPath").Value!;

    /// <summary>Starts <c>serve</c> (plus <paramref name="args"/>) on free ports and waits for the printed URLs.</summary>
    public static async Task<RecordHostProcess> StartAsync(HostStorage storage, params string[] args)
    {
        var process = Start(storage, ["serve", .. args, "--Chronicle:Ports:Fhir=0", "--Chronicle:Ports:Grpc=0"]);
        var host = new RecordHostProcess(process);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => host._listening.TrySetException(new InvalidOperationException("The Record host exited before listening."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await host._listening.Task.WaitAsync(Patience);
            return host;
        }
        catch (Exception e)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException($"The Record host did not start ({e.Message}). It printed:\n{host.Output}", e);
        }
    }

    /// <summary>Runs the executable with <paramref name="args"/> to its end (generate, or a start that must fail).</summary>
    public static async Task<HostRun> RunAsync(HostStorage storage, params string[] args)
    {
        using var process = Start(storage, args);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(Patience);
            return new HostRun(process.ExitCode, await output, await errors);
        }
        finally
        {
            Kill(process);
            Running.TryRemove(process.Id, out _);
        }
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
    public async Task<int> StopAsync()
    {
        using (var signal = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await signal.WaitForExitAsync();
        await _process.WaitForExitAsync().WaitAsync(Patience);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync().WaitAsync(Patience);
        Running.TryRemove(_process.Id, out _);
        _process.Dispose();
    }

    private static Process Start(HostStorage storage, IEnumerable<string> args)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = storage.WorkingDirectory,
        };
        startInfo.ArgumentList.Add(HostPath);
        foreach (var arg in args.Concat(storage.Args))
            startInfo.ArgumentList.Add(arg);
        // The host must not pick up settings meant for the test process.
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("Chronicle__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)).ToList())
            startInfo.Environment.Remove(name);
        foreach (var (name, value) in storage.Environment)
            startInfo.Environment[name] = value;
        if (!File.Exists(HostPath))
            throw new FileNotFoundException($"The Record host is not built at {HostPath}; build services/Record in the same configuration as the tests.");
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start dotnet.");
        Running[process.Id] = process;
        return process;
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
        if (FhirLine().Match(line) is { Success: true } fhir)
            FhirBase = new Uri(fhir.Groups[1].Value + "/");
        if (GrpcLine().Match(line) is { Success: true } grpc)
            GrpcAddress = new Uri(grpc.Groups[1].Value);
        if (FhirBase is not null && GrpcAddress is not null)
            _listening.TrySetResult();
    }

    [GeneratedRegex(@"^Chronicle Record FHIR listening on (\S+)$")]
    private static partial Regex FhirLine();

    [GeneratedRegex(@"^Chronicle Record gRPC listening on (\S+)$")]
    private static partial Regex GrpcLine();
}
