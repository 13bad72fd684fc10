using Chronicle.ServiceDefaults;
using System.Diagnostics;
using System.Globalization;
using Chronicle.Launcher.Catalog;

namespace Chronicle.Launcher.Processes;

/// <summary>A line a service printed, with what it is.</summary>
public sealed record ServiceLine(string Service, string Text, ServiceLineKind Kind);

/// <summary>
/// One service running as a child process. Every line it prints goes to its log file and to <see cref="LineReceived"/>;
/// the last lines are kept for a failure report, and the URLs in its "listening" lines are collected.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private const int RememberedLines = 40;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _lastLines = new();
    private readonly ServiceLineClassifier _classifier = new();
    private readonly Dictionary<string, string> _listening = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _allListening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(ServiceDefinition definition, Process process, StreamWriter log, string logPath)
    {
        Definition = definition;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    public ServiceDefinition Definition { get; }

    public string Name => Definition.AppId;

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    public DateTime StartTime => _process.StartTime;

    public event Action<ServiceLine>? LineReceived;

    /// <summary>Completes when the service has printed every listening line in its definition.</summary>
    public Task AllListening => _allListening.Task;

    /// <summary>Completes with the exit code when the process has ended and its output has been read to the end.</summary>
    public Task<int> Exited { get; private set; } = null!;

    public bool HasExited => _process.HasExited;

    /// <summary>By port name, the URL each listening line printed.</summary>
    public IReadOnlyDictionary<string, string> ListeningUrls
    {
        get
        {
            lock (_listening)
                return new Dictionary<string, string>(_listening, StringComparer.Ordinal);
        }
    }

    public IReadOnlyList<string> LastLines
    {
        get
        {
            lock (_lastLines)
                return [.. _lastLines];
        }
    }

    public static ServiceProcess Start(ServiceDefinition definition, ProcessStartInfo startInfo, string logPath, Action<ServiceProcess>? beforeOutput = null)
    {
        ArgumentNullException.ThrowIfNull(startInfo);
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        // The services take no input; they must not read the launcher's terminal either.
        startInfo.RedirectStandardInput = true;
        startInfo.UseShellExecute = false;
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var service = new ServiceProcess(definition, process, log, logPath);
        process.OutputDataReceived += (_, e) => service.OnLine(e.Data, fromStandardError: false);
        process.ErrorDataReceived += (_, e) => service.OnLine(e.Data, fromStandardError: true);
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            throw;
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"===== {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz} started by the launcher as pid {process.Id}: {startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)}"));
        beforeOutput?.Invoke(service);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        service.Exited = service.WaitForExitAsync();
        return service;
    }

    /// <summary>SIGTERM, then up to <paramref name="grace"/> to stop; after that the process tree is killed.</summary>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        if (!_process.HasExited && Signals.TryTerminate(_process.Id))
        {
            try
            {
                return await Exited.WaitAsync(grace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                WriteLog($"===== did not stop within {grace.TotalSeconds:0} s of SIGTERM; killed");
            }
        }

        Kill();
        return await Exited.ConfigureAwait(false);
    }

    /// <summary>Kills the process and its children at once; nothing if it has ended.</summary>
    public void Kill() => ProcessTrees.Kill(_process);

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Exited.ConfigureAwait(false);
        _process.Dispose();
        lock (_log)
            _log.Dispose();
    }

    private async Task<int> WaitForExitAsync()
    {
        // Waits for the end of both output streams too, so a failure report has the last lines.
        await _process.WaitForExitAsync().ConfigureAwait(false);
        var code = _process.ExitCode;
        WriteLog($"===== exited with {ExitCodes.Describe(code)}");
        return code;
    }

    private void OnLine(string? text, bool fromStandardError)
    {
        if (text is null)
            return;
        WriteLog(text);
        lock (_lastLines)
        {
            _lastLines.Enqueue(text);
            if (_lastLines.Count > RememberedLines)
                _lastLines.Dequeue();
        }

        ServiceLineKind kind;
        lock (_classifier)
            kind = _classifier.Classify(text, fromStandardError);
        NoteListening(text);
        LineReceived?.Invoke(new ServiceLine(Name, text, kind));
    }

    private void NoteListening(string text)
    {
        foreach (var port in Definition.Ports)
        {
            if (!ServiceBanner.TryReadUrl(text, port.ListeningLine, out var read))
                continue;
            var url = read.OriginalString;
            lock (_listening)
            {
                _listening[port.Name] = url;
                if (_listening.Count == Definition.Ports.Count)
                    _allListening.TrySetResult();
            }
        }
    }

    private void WriteLog(string text)
    {
        lock (_log)
        {
            try
            {
                _log.WriteLine(text);
            }
            catch (ObjectDisposedException)
            {
                // A line that arrives while the launcher is closing.
            }
        }
    }
}

/// <summary>An exit code in words: on Unix a process ended by a signal exits with 128 + the signal's number.</summary>
public static class ExitCodes
{
    public static string Describe(int code) => code switch
    {
        > 128 and < 160 when !OperatingSystem.IsWindows() => string.Create(CultureInfo.InvariantCulture, $"exit code {code} ({SignalName(code - 128)})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"exit code {code}"),
    };

    private static string SignalName(int signal) => signal switch
    {
        1 => "hung up, SIGHUP",
        2 => "interrupted, SIGINT",
        6 => "aborted, SIGABRT",
        9 => "killed, SIGKILL",
        11 => "segmentation fault, SIGSEGV",
        15 => "terminated, SIGTERM",
        _ => string.Create(CultureInfo.InvariantCulture, $"signal {signal}"),
    };
}
