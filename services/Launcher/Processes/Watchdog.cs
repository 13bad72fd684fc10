using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Chronicle.Launcher.Processes;

/// <summary>
/// Stops the services if the launcher dies without stopping them (killed with SIGKILL, crashed). A second process —
/// this launcher's assembly with the <see cref="Verb"/> verb — is told each service's pid on its standard input. When the
/// launcher ends, however it ends, that pipe closes; the watchdog then stops whatever of those processes is still
/// running (SIGTERM, then a kill) and exits. After a clean stop there is nothing left for it to do.
/// </summary>
internal sealed class Watchdog : IDisposable
{
    public const string Verb = "watchdog";

    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private readonly Process _process;

    private Watchdog(Process process) => _process = process;

    public int ProcessId => _process.Id;

    public static Watchdog Start()
    {
        var (fileName, arguments) = DotnetHost.Self();
        var startInfo = new ProcessStartInfo(fileName) { RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        startInfo.ArgumentList.Add(Verb);
        return new Watchdog(Process.Start(startInfo) ?? throw new InvalidOperationException("Could not start the launcher's watchdog."));
    }

    /// <summary>The watchdog will stop this process if the launcher ends first.</summary>
    public void Watch(int processId, DateTime startTime)
    {
        try
        {
            _process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{processId} {startTime.ToUniversalTime().Ticks}"));
            _process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // The watchdog is gone; the launcher's own exit paths still stop the services.
        }
    }

    /// <summary>Closes the pipe: the watchdog stops what is left and exits.</summary>
    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            _process.WaitForExit(Grace + TimeSpan.FromSeconds(5));
        }
        catch (IOException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    /// <summary>The watchdog process: reads "pid start-ticks" lines until the launcher's end closes them, then stops those still running.</summary>
    public static int Run(TextReader input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // Ctrl+C or a closed terminal reaches the whole process group; the launcher answers it, the watchdog outlives it.
        using var ignored = new IgnoredSignals();
        var watched = new List<(int Id, long StartTicks)>();
        while (input.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var id)
                && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var ticks))
                watched.Add((id, ticks));
        }

        var left = watched.Select(w => Find(w.Id, w.StartTicks)).OfType<Process>().ToList();
        foreach (var process in left)
        {
            Console.Error.WriteLine($"Chronicle launcher watchdog: the launcher has gone; stopping pid {process.Id}.");
            if (!Signals.TryTerminate(process.Id))
                ProcessTrees.Kill(process);
        }

        foreach (var process in left)
        {
            using (process)
            {
                if (!process.WaitForExit(Grace))
                    ProcessTrees.Kill(process);
            }
        }

        return 0;
    }

    /// <summary>The process with this id, if it is still the one that was started then (ids are reused).</summary>
    private static Process? Find(int id, long startTicks)
    {
        try
        {
            var process = Process.GetProcessById(id);
            if (!process.HasExited && Math.Abs(process.StartTime.ToUniversalTime().Ticks - startTicks) < TimeSpan.TicksPerSecond)
                return process;
            process.Dispose();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Gone.
        }

        return null;
    }

    private sealed class IgnoredSignals : IDisposable
    {
        private readonly PosixSignalRegistration[] _registrations =
            [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, c => c.Cancel = true))];

        public void Dispose()
        {
            foreach (var registration in _registrations)
                registration.Dispose();
        }
    }
}
