using System.Threading.Channels;

namespace Chronicle.Auditing;

/// <summary>
/// Makes items durable in groups: callers hand in one item each and wait; a single writer takes every item waiting (up
/// to <see cref="MaxBatch"/>) into one write and completes their waits together, or fails them all. Under load one
/// durable write serves many requests; alone, a request pays for one write, as it would without grouping.
/// </summary>
/// <param name="write">Writes one group; an exception fails every caller in it.</param>
/// <param name="keyOf">When given, a group never holds two items with the same key (the second waits for the next write).</param>
public sealed class GroupCommit<T, TKey> : IAsyncDisposable
    where TKey : notnull
{
    private readonly Func<IReadOnlyList<T>, Task> _write;
    private readonly Func<T, TKey> _keyOf;
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public GroupCommit(Func<IReadOnlyList<T>, Task> write, Func<T, TKey> keyOf, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _write = write;
        _keyOf = keyOf;
        MaxBatch = maxBatch;
        _writer = Task.Run(WriteLoopAsync);
    }

    public int MaxBatch { get; }

    /// <summary>Completes once <paramref name="item"/> is written; throws what the write threw.</summary>
    /// <exception cref="ObjectDisposedException">The writer is closed.</exception>
    public Task WriteAsync(T item, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(item);
        if (!_pending.Writer.TryWrite(pending))
            throw new ObjectDisposedException(GetType().Name, "The writer is closed.");
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        var keys = new HashSet<TKey>();
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            keys.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryPeek(out var next) && keys.Add(_keyOf(next.Item)))
            {
                _pending.Reader.TryRead(out _);
                batch.Add(next);
            }

            try
            {
                await _write(batch.Select(p => p.Item).ToList()).ConfigureAwait(false);
                foreach (var pending in batch)
                    pending.Done.TrySetResult();
            }
            catch (Exception error)
            {
                foreach (var pending in batch)
                    pending.Done.TrySetException(error);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private sealed record Pending(T Item)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
