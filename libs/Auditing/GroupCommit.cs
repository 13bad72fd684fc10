using System.Collections.Concurrent;
using Chronicle.EventStore;

namespace Chronicle.Auditing;

/// <summary>
/// Makes items durable in groups, by flat combining: callers queue one item each; whoever holds the write lock takes every
/// item waiting (up to <see cref="MaxBatch"/>) into one write and completes their waits together, or fails them all.
/// Under load one durable write serves many requests. Alone, a request writes its own item on its own thread, with no
/// hand-over to a writer thread and back, so grouping costs it nothing.
/// </summary>
/// <param name="write">Writes one group; an exception fails every caller in it.</param>
/// <param name="keyOf">When given, a group never holds two items with the same key (the second waits for the next write).</param>
public sealed class GroupCommit<T, TKey> : IAsyncDisposable
    where TKey : notnull
{
    private readonly Func<IReadOnlyList<T>, Task> _write;
    private readonly Func<T, TKey> _keyOf;
    private readonly ConcurrentQueue<CombinedRequest<T, bool>> _queue = new();
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _closed;

    public GroupCommit(Func<IReadOnlyList<T>, Task> write, Func<T, TKey> keyOf, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _write = write;
        _keyOf = keyOf;
        MaxBatch = maxBatch;
    }

    public int MaxBatch { get; }

    /// <summary>Completes once <paramref name="item"/> is written; throws what the write threw.</summary>
    /// <exception cref="ObjectDisposedException">The writer is closed.</exception>
    public async Task WriteAsync(T item, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        using var pending = new CombinedRequest<T, bool>(item);
        _queue.Enqueue(pending);
        await WriteUntilAnsweredAsync(pending, cancellationToken).ConfigureAwait(false);
        await pending.Outcome.ConfigureAwait(false);
    }

    /// <summary>
    /// Completes once every item is written; throws what a write threw. The items are queued together, so they share
    /// groups (up to <see cref="MaxBatch"/> each, in their order) instead of being written one by one.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The writer is closed.</exception>
    public async Task WriteAllAsync(IReadOnlyList<T> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        ObjectDisposedException.ThrowIf(_closed, this);
        var pending = items.Select(item => new CombinedRequest<T, bool>(item)).ToList();
        try
        {
            foreach (var request in pending)
                _queue.Enqueue(request);
            foreach (var request in pending)
                await WriteUntilAnsweredAsync(request, cancellationToken).ConfigureAwait(false);

            await Task.WhenAll(pending.Select(request => request.Outcome)).ConfigureAwait(false);
        }
        finally
        {
            foreach (var request in pending)
                request.Dispose();
        }
    }

    /// <summary>Takes the lock and writes groups until <paramref name="request"/> is answered, unless another caller answers it first.</summary>
    private async Task WriteUntilAnsweredAsync(CombinedRequest<T, bool> request, CancellationToken cancellationToken)
    {
        while (!request.Outcome.IsCompleted && await request.WaitForLockOrAnswerAsync(_lock, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await WriteGroupAsync().ConfigureAwait(false);
            }
            finally
            {
                _lock.Release();
            }
        }
    }

    private async Task WriteGroupAsync()
    {
        var group = new List<CombinedRequest<T, bool>>();
        var keys = new HashSet<TKey>();
        // Items are taken in queue order; one whose key is already in the group stops it, so order is kept.
        while (group.Count < MaxBatch && _queue.TryPeek(out var next))
        {
            if (next.IsQueued && !keys.Add(_keyOf(next.Item)))
                break;
            _queue.TryDequeue(out _);
            if (next.TryTake())
                group.Add(next);
        }

        if (group.Count == 0)
            return;
        try
        {
            await _write(group.Select(p => p.Item).ToList()).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            foreach (var pending in group)
                pending.Fail(error);
            return;
        }

        foreach (var pending in group)
            pending.Succeed(true);
    }

    /// <summary>Stops taking items and writes those already queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _closed = true;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            while (!_queue.IsEmpty)
                await WriteGroupAsync().ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }
}
