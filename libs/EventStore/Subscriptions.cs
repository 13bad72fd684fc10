using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chronicle.EventStore;

public sealed record SubscriptionOptions
{
    /// <summary>Events per page while catching up.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>
    /// The longest wait between polls once caught up. Appends in this process wake the subscription at
    /// once; the poll picks up appends from other processes, backing off from 1 ms to this interval.
    /// </summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Once caught up, how long to let appends gather after the first new one before handing them over, so a follower
    /// that pays a fixed cost per page (a durable publish, say) pays it once for a burst rather than once per append.
    /// Zero (the default) hands every page over at once; a full page never waits.
    /// </summary>
    public TimeSpan Linger { get; init; } = TimeSpan.Zero;

    public ILogger? Logger { get; init; }
}

/// <summary>
/// A catch-up subscription to the global log: reads from a checkpoint, catches up page by page, then
/// tails live. Delivery is at-least-once: the consumer keeps its checkpoint durably (ideally in the same
/// transaction as its effects) and restarts from it. If the handler throws, the subscription stops and
/// <see cref="Completion"/> faults with that error, so nothing after a failed event is delivered out of order.
/// </summary>
public sealed class EventSubscription : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private long _lastTransaction;
    private long _lastPosition;

    private EventSubscription(LogPosition after)
    {
        _lastTransaction = after.Transaction;
        _lastPosition = after.Position;
        Completion = Task.CompletedTask;
    }

    /// <summary>Completes when the subscription is stopped, and faults if the handler or the store failed.</summary>
    public Task Completion { get; private set; }

    /// <summary>The last position handed to the handler whose call returned.</summary>
    public LogPosition LastProcessed => new(Interlocked.Read(ref _lastTransaction), Interlocked.Read(ref _lastPosition));

    /// <summary>True once the subscription has read everything committed and is waiting for new events.</summary>
    public bool IsLive { get; private set; }

    public static EventSubscription Start(IEventStore store, LogPosition after,
        Func<IReadOnlyList<RecordedEvent>, CancellationToken, Task> handler, SubscriptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(handler);
        options ??= new SubscriptionOptions();
        EventStoreLimits.ValidateCount(options.BatchSize);
        var subscription = new EventSubscription(after);
        subscription.Completion = Task.Run(() => subscription.RunAsync(store, handler, options));
        return subscription;
    }

    private async Task RunAsync(IEventStore store, Func<IReadOnlyList<RecordedEvent>, CancellationToken, Task> handler,
        SubscriptionOptions options)
    {
        var logger = options.Logger ?? NullLogger.Instance;
        var token = _stop.Token;
        var idleWait = TimeSpan.FromMilliseconds(1);
        try
        {
            while (!token.IsCancellationRequested)
            {
                var page = await store.ReadAllAsync(LastProcessed, options.BatchSize, token).ConfigureAwait(false);
                if (page.Count > 0 && page.Count < options.BatchSize && IsLive && options.Linger > TimeSpan.Zero)
                {
                    // Only what arrived after the page is read again, and the page stays within the batch size.
                    await Task.Delay(options.Linger, token).ConfigureAwait(false);
                    var more = await store.ReadAllAsync(page[^1].LogPosition, options.BatchSize - page.Count, token).ConfigureAwait(false);
                    if (more.Count > 0)
                        page = [.. page, .. more];
                }

                if (page.Count > 0)
                {
                    IsLive = false;
                    await handler(page, token).ConfigureAwait(false);
                    var last = page[^1].LogPosition;
                    Interlocked.Exchange(ref _lastTransaction, last.Transaction);
                    Interlocked.Exchange(ref _lastPosition, last.Position);
                    idleWait = TimeSpan.FromMilliseconds(1);
                    continue;
                }

                IsLive = true;
                await store.WaitForAppendAsync(idleWait, token).ConfigureAwait(false);
                idleWait = TimeSpan.FromTicks(Math.Min(idleWait.Ticks * 2, options.MaxPollInterval.Ticks));
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogError(e, "Subscription stopped after {Position}", LastProcessed);
            throw;
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A faulted subscription has already reported its error through Completion.
        }

        _stop.Dispose();
    }
}
