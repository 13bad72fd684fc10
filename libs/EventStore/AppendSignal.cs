namespace Chronicle.EventStore;

/// <summary>
/// Wakes every waiter when an append commits in this process. A waiter that registers after a pulse
/// waits for the next one; the subscription loop re-reads before waiting, so no pulse is needed twice.
/// </summary>
internal sealed class AppendSignal
{
    private TaskCompletionSource _next = NewSource();

    public void Pulse() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pulse = Volatile.Read(ref _next).Task;
        try
        {
            await pulse.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Timing out is the polling fallback for appends made by other processes.
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
