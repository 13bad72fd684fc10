using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Chronicle.Launcher.Processes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Launcher.Tests;

/// <summary>
/// The real launcher (<c>dotnet Chronicle.Launcher.dll</c>) as a child process with its own data folder and a free
/// gateway port, read through the lines it prints. On dispose it and every process it reported are killed.
/// </summary>
public sealed partial class LauncherProcess : IAsyncDisposable
{
    // Not a timing assertion: a guard so a launcher that never gets there fails the test instead of hanging it.
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(Func<string, bool> Matches, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly Dictionary<string, int> _servicePids = new(StringComparer.Ordinal);
    private int? _watchdogPid;

    private LauncherProcess(Process process) => _process = process;

    public static string LauncherPath { get; } = typeof(LauncherProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "LauncherPath").Value!;

    public int ProcessId => _process.Id;

    /// <summary>The gateway's FHIR base with a trailing slash, e.g. http://localhost:41234/fhir/.</summary>
    public Uri GatewayBase { get; private set; } = null!;

    /// <summary>Everything the launcher (and its watchdog) printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Each started service's pid, by app id, as the launcher printed it.</summary>
    public IReadOnlyDictionary<string, int> ServicePids
    {
        get
        {
            lock (_output)
                return new Dictionary<string, int>(_servicePids, StringComparer.Ordinal);
        }
    }

    /// <summary>The services' and the watchdog's pids: every process the launcher started.</summary>
    public IReadOnlyList<int> ChildPids
    {
        get
        {
            lock (_output)
                return [.. _servicePids.Values, .. _watchdogPid is { } w ? [w] : Array.Empty<int>()];
        }
    }

    public static LauncherProcess Start(string dataDirectory, params string[] args) => Start(dataDirectory, new Dictionary<string, string>(), args);

    /// <summary>Starts the launcher with <paramref name="environment"/> added to what it (and so every service) inherits.</summary>
    public static LauncherProcess Start(string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(LauncherPath);
        foreach (var arg in (string[])["--data", dataDirectory, "--port", "0", .. args])
            startInfo.ArgumentList.Add(arg);
        // The services must not pick up settings meant for the test process.
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("Chronicle__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)).ToList())
            startInfo.Environment.Remove(name);
        foreach (var (name, value) in environment)
            startInfo.Environment[name] = value;
        if (!File.Exists(LauncherPath))
            throw new FileNotFoundException($"The launcher is not built at {LauncherPath}; build services/Launcher in the same configuration as the tests.");
        var process = new Process { StartInfo = startInfo };
        var launcher = new LauncherProcess(process);
        process.OutputDataReceived += (_, e) => launcher.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => launcher.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return launcher;
    }

    /// <summary>Starts the launcher and waits until it says the platform is ready.</summary>
    public static Task<LauncherProcess> StartReadyAsync(string dataDirectory, params string[] args) =>
        StartReadyAsync(dataDirectory, new Dictionary<string, string>(), args);

    /// <summary>
    /// Tests about running the platform rather than about access (restarts, the gateway's own answers) switch token
    /// checks off explicitly; the demo test and Chronicle.Identity.Tests call with real tokens.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> SecurityDisabled =
        new Dictionary<string, string> { ["Chronicle__Security__Disabled"] = "true" };

    /// <summary>Starts the launcher with <paramref name="environment"/> and waits until it says the platform is ready.</summary>
    public static async Task<LauncherProcess> StartReadyAsync(string dataDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var launcher = Start(dataDirectory, environment, args);
        try
        {
            await launcher.WaitForLineAsync(l => l == Platform.PlatformLauncher.ReadyLine);
            return launcher;
        }
        catch
        {
            await launcher.DisposeAsync();
            throw;
        }
    }

    /// <summary>The Identity service's issuer (its HTTP address), from the line it prints when it listens.</summary>
    public Uri IdentityBase => new(IdentityLine().Match(Output) is { Success: true } match
        ? match.Groups[1].Value
        : throw new InvalidOperationException($"Identity printed no listening line:\n{Output}"));

    /// <summary>An access token for the demo supplier module (client credentials; Identity's --demo directory).</summary>
    public async Task<string> DemoModuleTokenAsync(HttpClient http)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "demo-module", ["client_secret"] = "demo-module-secret", ["scope"] = "system/*.rs",
        });
        using var response = await http.PostAsync(new Uri(IdentityBase, "connect/token"), form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    [GeneratedRegex(@"Chronicle Identity listening on (\S+)")]
    private static partial Regex IdentityLine();

    /// <summary>The first line (printed already or later) that matches; fails if the launcher exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> matches)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            var earlier = _output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(matches);
            if (earlier is not null)
                return earlier;
            _waiters.Add((matches, seen));
        }

        var exited = _process.WaitForExitAsync();
        var patience = Task.Delay(Patience);
        var first = await Task.WhenAny(seen.Task, exited, patience);
        if (first == seen.Task)
            return await seen.Task;
        throw new InvalidOperationException(first == exited
            ? $"The launcher exited ({_process.ExitCode}) before printing the line. It printed:\n{Output}"
            : $"The launcher did not print the line within {Patience}. It printed:\n{Output}");
    }

    /// <summary>Sends a signal to the launcher alone, as <c>kill -INT pid</c> does.</summary>
    public async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the launcher to end (its output read to the end) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"The launcher did not exit within {Patience}. It printed:\n{Output}");
        }

        return _process.ExitCode;
    }

    public FhirClient CreateFhirClient(HttpClient http) => new(GatewayBase, http, new FhirClientSettings
    {
        PreferredFormat = ResourceFormat.Json,
        VerifyFhirVersion = false,
        SerializationEngine = FhirSerializationEngineFactory.Strict(ModelInfo.ModelInspector),
    });

    public async ValueTask DisposeAsync()
    {
        ProcessTrees.Kill(_process);
        foreach (var pid in ChildPids)
        {
            try
            {
                using var child = Process.GetProcessById(pid);
                ProcessTrees.Kill(child);
            }
            catch (ArgumentException)
            {
                // Gone, as it should be.
            }
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            // Killed; the output pipe may be held by a grandchild that is being killed as well.
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        List<TaskCompletionSource<string>> matched;
        lock (_output)
        {
            _output.AppendLine(line);
            if (GatewayLine().Match(line) is { Success: true } gateway)
                GatewayBase = new Uri(gateway.Groups[1].Value + "/");
            if (ServiceStartedLine().Match(line) is { Success: true } started)
                _servicePids[started.Groups[1].Value] = int.Parse(started.Groups[2].Value, CultureInfo.InvariantCulture);
            if (WatchdogLine().Match(line) is { Success: true } watchdog)
                _watchdogPid = int.Parse(watchdog.Groups[1].Value, CultureInfo.InvariantCulture);
            matched = [.. _waiters.Where(w => w.Matches(line)).Select(w => w.Seen)];
            _waiters.RemoveAll(w => matched.Contains(w.Seen));
        }

        foreach (var seen in matched)
            seen.TrySetResult(line);
    }

    [GeneratedRegex(@"^Chronicle gateway FHIR listening on (\S+)$")]
    private static partial Regex GatewayLine();

    [GeneratedRegex(@"^Chronicle launcher: (\S+) started \(pid (\d+)\), log ")]
    private static partial Regex ServiceStartedLine();

    [GeneratedRegex(@"^Chronicle launcher: watchdog started \(pid (\d+)\)")]
    private static partial Regex WatchdogLine();
}

/// <summary>Whether a process still runs. A zombie (ended, not yet reaped by whoever adopted it) has ended.</summary>
public static class Processes
{
    public static bool IsRunning(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }

            // "pid (name) S ...": the state follows the name, which may itself hold spaces and parentheses.
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            return state is not ('Z' or 'X' or 'x');
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Waits until none of <paramref name="pids"/> runs, or the patience runs out; returns those still running.</summary>
    public static async Task<IReadOnlyList<int>> WaitUntilGoneAsync(IEnumerable<int> pids)
    {
        var watched = pids.ToList();
        var waited = Stopwatch.StartNew();
        while (watched.Any(IsRunning) && waited.Elapsed < LauncherProcess.Patience)
            await Task.Delay(100);
        return [.. watched.Where(IsRunning)];
    }
}
