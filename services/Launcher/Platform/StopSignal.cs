using System.Runtime.InteropServices;

namespace Chronicle.Launcher.Platform;

/// <summary>
/// Ctrl+C, SIGTERM or a closed terminal (SIGHUP): the first asks for a clean stop, a second one for an immediate kill.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _force = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignal()
    {
        _registrations = [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, OnSignal))];
    }

    public CancellationToken Stopping => _stop.Token;

    public CancellationToken Forced => _force.Token;

    public string? Received { get; private set; }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        if (_stop.IsCancellationRequested)
        {
            _force.Cancel();
            return;
        }

        Received = context.Signal switch
        {
            PosixSignal.SIGINT => "Ctrl+C (SIGINT)",
            PosixSignal.SIGTERM => "SIGTERM",
            PosixSignal.SIGHUP => "SIGHUP",
            _ => context.Signal.ToString(),
        };
        _stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _stop.Dispose();
        _force.Dispose();
    }
}
