namespace Chronicle.EventStore;

/// <summary>
/// One caller's request in a group commit by flat combining: callers queue their requests, and whoever holds the write
/// lock takes every queued request into one durable write and answers them all. A request is taken at most once, and a
/// caller who gives up (cancellation) before it is taken is never written.
/// </summary>
public sealed class CombinedRequest<TItem, TResult> : IDisposable
{
    private const int Queued = 0, Taken = 1, Cancelled = 2;
    private readonly TaskCompletionSource<TResult> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _answered = new();
    private int _state;

    public CombinedRequest(TItem item) => Item = item;

    public TItem Item { get; }

    public Task<TResult> Outcome => _outcome.Task;

    /// <summary>Still waiting to be taken into a group (neither taken nor cancelled).</summary>
    public bool IsQueued => Volatile.Read(ref _state) == Queued;

    /// <summary>Claims the request for a group; false when another group took it or its caller cancelled.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

    public void Succeed(TResult result)
    {
        _outcome.TrySetResult(result);
        Wake();
    }

    public void Fail(Exception error)
    {
        _outcome.TrySetException(error);
        Wake();
    }

    /// <summary>
    /// Waits for <paramref name="writeLock"/> or for another caller to answer this request in its group, whichever comes
    /// first, so an answered caller never queues for the lock only to find nothing left to do. True: the caller holds the
    /// lock and must release it. False: the outcome is set or coming (the request was taken). Throws when cancelled
    /// before the request was taken, which then is never written.
    /// </summary>
    public async Task<bool> WaitForLockOrAnswerAsync(SemaphoreSlim writeLock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writeLock);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _answered.Token);
        try
        {
            await writeLock.WaitAsync(wait.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (Outcome.IsCompleted)
        {
            return false;
        }
        catch (OperationCanceledException) when (Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // Another caller has already taken this request into its group: its outcome is coming.
            return false;
        }
    }

    private void Wake()
    {
        try
        {
            _answered.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The caller has already returned.
        }
    }

    public void Dispose() => _answered.Dispose();
}
