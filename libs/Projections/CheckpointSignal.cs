using Chronicle.EventStore;

namespace Chronicle.Projections;

/// <summary>
/// A log consumer's checkpoint as it moves forward, and waiting for it to pass a position (to read one's own writes, say).
/// It never moves back. <see cref="Abandon"/> releases waiters with an error once the consumer stops for good.
/// </summary>
public sealed class CheckpointSignal
{
    private readonly Lock _gate = new();
    private LogPosition _checkpoint;
    private TaskCompletionSource _advanced = NewSignal();

    public LogPosition Current
    {
        get
        {
            lock (_gate)
                return _checkpoint;
        }
    }

    /// <summary>Moves the checkpoint to <paramref name="position"/> if that is further on, waking waiters.</summary>
    public void Advance(LogPosition position)
    {
        TaskCompletionSource advanced;
        lock (_gate)
        {
            if (position <= _checkpoint)
                return;
            _checkpoint = position;
            advanced = _advanced;
            _advanced = NewSignal();
        }

        advanced.TrySetResult();
    }

    /// <summary>Completes once the checkpoint is at or past <paramref name="position"/>.</summary>
    public async Task WaitForAsync(LogPosition position, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task advanced;
            lock (_gate)
            {
                if (_checkpoint >= position)
                    return;
                advanced = _advanced.Task;
            }

            await advanced.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Fails every present and future wait that the checkpoint has not already satisfied.</summary>
    public void Abandon(Exception reason)
    {
        lock (_gate)
            _advanced.TrySetException(reason);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
