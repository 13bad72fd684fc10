using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Chronicle.Testing;

/// <summary>
/// A built Chronicle service (<c>dotnet Service.dll</c>) as a child process, found ready through the lines it prints:
/// each named pattern's first group is the address it announces ("Chronicle Audit HTTP listening on (\S+)"). The process
/// is killed on dispose, and when the test run ends however it ends. Settings meant for the test process
/// (Chronicle__*, ConnectionStrings__*) are not passed on.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    // Not a timing assertion: a guard so a service that never comes up fails the test instead of hanging it.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process _process;
    private readonly IReadOnlyDictionary<string, Regex> _announcements;
    private readonly ConcurrentDictionary<string, Uri> _addresses = new(StringComparer.Ordinal);
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static ServiceProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Values)
            Kill(process);
    };

    private ServiceProcess(Process process, IReadOnlyDictionary<string, Regex> announcements)
    {
        _process = process;
        _announcements = announcements;
    }

    /// <summary>What the service announced, by the name of the pattern that matched.</summary>
    public Uri this[string name] => _addresses[name];

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    public static async Task<ServiceProcess> StartAsync(string dllPath, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, Regex> announcements)
    {
        var process = Start(dllPath, args, workingDirectory, environment);
        var service = new ServiceProcess(process, announcements);
        process.OutputDataReceived += (_, e) => service.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => service.OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => service._ready.TrySetException(new InvalidOperationException($"{Path.GetFileName(dllPath)} exited before it was ready."));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service._ready.Task.WaitAsync(Patience);
            return service;
        }
        catch (Exception e)
        {
            await service.DisposeAsync();
            throw new InvalidOperationException($"{Path.GetFileName(dllPath)} did not start ({e.Message}). It printed:\n{service.Output}", e);
        }
    }

    /// <summary>Runs the executable to its end (a command that is not a server, or a start that must fail) and returns what it printed.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunToEndAsync(string dllPath, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string> environment)
    {
        using var process = Start(dllPath, args, workingDirectory, environment);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(Patience);
            return (process.ExitCode, await output, await errors);
        }
        finally
        {
            Kill(process);
            Running.TryRemove(process.Id, out _);
        }
    }

    /// <summary>Stops the service as an orchestrator would (SIGTERM) and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        await SignalAsync(_process.Id, "TERM");
        await _process.WaitForExitAsync().WaitAsync(Patience);
        return _process.ExitCode;
    }

    /// <summary>Sends <paramref name="signal"/> (INT, TERM, …) to process <paramref name="processId"/>, as kill(1) does.</summary>
    private static async Task SignalAsync(int processId, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", processId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync().WaitAsync(Patience);
        Running.TryRemove(_process.Id, out _);
        _process.Dispose();
    }

    private static Process Start(string dllPath, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        if (!File.Exists(dllPath))
            throw new FileNotFoundException($"The service is not built at {dllPath}; build it in the same configuration as the tests.");
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        startInfo.ArgumentList.Add(dllPath);
        foreach (var arg in args)
            startInfo.ArgumentList.Add(arg);
        foreach (var name in startInfo.Environment.Keys.Where(k => k.StartsWith("Chronicle__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)).ToList())
            startInfo.Environment.Remove(name);
        // Every service of the run shares one app API token, as under the launcher; a test may override or blank it.
        startInfo.Environment[TestAppApiToken.EnvironmentVariable] = TestAppApiToken.Value;
        foreach (var (name, value) in environment)
            startInfo.Environment[name] = value;
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
        foreach (var (name, pattern) in _announcements)
        {
            if (pattern.Match(line) is { Success: true } match)
                _addresses.TryAdd(name, new Uri(match.Groups[1].Value));
        }

        if (_announcements.Keys.All(_addresses.ContainsKey))
            _ready.TrySetResult();
    }
}
