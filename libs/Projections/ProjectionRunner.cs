using Chronicle.EventStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chronicle.Projections;

public sealed record ProjectionRunnerOptions
{
    /// <summary>Events per batch; each batch is one read-model transaction.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>The longest wait between polls of the log once caught up (see <see cref="SubscriptionOptions"/>).</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The wait after a first failed batch; it doubles with each further failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    public ILogger? Logger { get; init; }
}

/// <param name="Checkpoint">The durable checkpoint: the last event whose effects are committed.</param>
/// <param name="EventsBehind">Committed events after the checkpoint.</param>
/// <param name="OldestUnprocessedAge">How long the first event after the checkpoint has waited; zero when caught up.</param>
public readonly record struct ProjectionLag(LogPosition Checkpoint, long EventsBehind, TimeSpan OldestUnprocessedAge);

/// <summary>A projection failed to apply an event. The runner retries it; it is never skipped.</summary>
public sealed class ProjectionApplyException(string projection, RecordedEvent recorded, Exception inner)
    : Exception($"Projection '{projection}' failed to apply event {recorded.EventId} ({recorded.EventType}) " +
        $"of stream '{recorded.StreamId}' at {recorded.LogPosition}.", inner)
{
    public string Projection { get; } = projection;
    public Guid EventId { get; } = recorded.EventId;
    public LogPosition Position { get; } = recorded.LogPosition;
}

/// <summary>
/// Keeps one projection's tables up to date with the global log. Each batch of events and the checkpoint after it
/// commit in one read-model transaction, and the checkpoint is re-read (and locked) inside that transaction, so
/// at-least-once delivery becomes exactly-once effect: after any failure the runner rolls back, waits, and
/// resumes from the durable checkpoint. <see cref="RebuildAsync"/> replays the whole log into fresh tables and
/// swaps them in while readers keep using the logical table names.
/// </summary>
public sealed partial class ProjectionRunner : IAsyncDisposable
{
    private const string RebuildMarker = "__rebuild_";

    // The rebuild suffix is RebuildMarker plus up to 13 digits of Unix milliseconds; physical names must stay within 63.
    private const int MaxLogicalTableNameLength = 63 - 23;

    private const int MaxReplayPasses = 4;

    private static readonly LogPosition EndOfLog = new(long.MaxValue, long.MaxValue);

    private readonly IEventStore _store;
    private readonly ReadModelDatabase _database;
    private readonly IProjection _projection;
    private readonly ProjectionRunnerOptions _options;
    private readonly ILogger _logger;
    private readonly IReadOnlyDictionary<string, string> _liveTables;

    // Held while a batch is applied to the live tables; a rebuild holds it to pause live application during the swap.
    private readonly SemaphoreSlim _applyLock = new(1, 1);
    private readonly SemaphoreSlim _rebuildLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _upgrading;
    private readonly CheckpointSignal _checkpoint = new();
    private int _failedAttempts;
    private int _disposed;
    private Task? _running;

    public ProjectionRunner(IEventStore store, ReadModelDatabase database, IProjection projection, ProjectionRunnerOptions? options = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _projection = projection ?? throw new ArgumentNullException(nameof(projection));
        _options = options ?? new ProjectionRunnerOptions();
        _logger = _options.Logger ?? NullLogger.Instance;
        ArgumentException.ThrowIfNullOrWhiteSpace(projection.Name);
        if (projection.Tables.Count == 0 || projection.Tables.Distinct(StringComparer.Ordinal).Count() != projection.Tables.Count)
            throw new ArgumentException($"Projection '{projection.Name}' must declare at least one table, each once.", nameof(projection));
        foreach (var table in projection.Tables)
        {
            ReadModelDatabase.ValidateTableName(table);
            if (table.Length > MaxLogicalTableNameLength || table.Contains(RebuildMarker, StringComparison.Ordinal))
                throw new ArgumentException(
                    $"Table '{table}' must be at most {MaxLogicalTableNameLength} characters and not contain '{RebuildMarker}'.",
                    nameof(projection));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.BatchSize, EventStoreLimits.MaxReadCount, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.MinRetryDelay, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxRetryDelay, _options.MinRetryDelay, nameof(options));

        _liveTables = projection.Tables.ToDictionary(t => t, t => t, StringComparer.Ordinal);
    }

    /// <summary>The last checkpoint this runner committed or read; see <see cref="GetLagAsync"/> for the durable one.</summary>
    public LogPosition Checkpoint => _checkpoint.Current;

    /// <summary>Creates missing tables, then applies the log from the durable checkpoint in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_running is not null)
            throw new InvalidOperationException($"Projection '{_projection.Name}' is already running.");
        await _database.EnsureCheckpointTableAsync(cancellationToken).ConfigureAwait(false);
        await EnsureTablesAsync(cancellationToken).ConfigureAwait(false);
        var checkpoint = await _database.ReadCheckpointAsync(_projection.Name, cancellationToken).ConfigureAwait(false);
        Publish(checkpoint);
        // Tables from before versions were recorded are version 1's; empty ones are this version's.
        var written = await _database.ReadProjectionVersionAsync(_projection.Name, cancellationToken).ConfigureAwait(false);
        if (written is null && checkpoint == LogPosition.Start)
            await _database.WriteProjectionVersionAsync(_projection.Name, _projection.Version, cancellationToken).ConfigureAwait(false);
        _running = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        if ((written ?? (checkpoint == LogPosition.Start ? _projection.Version : 1)) is var old && old != _projection.Version)
        {
            LogUpgrading(_logger, _projection.Name, old, _projection.Version);
            _upgrading = Task.Run(() => UpgradeAsync(_stop.Token), CancellationToken.None);
        }
    }

    /// <summary>Completes once tables written by another version have been rebuilt by this one (at once when there were none).</summary>
    public Task UpgradedAsync(CancellationToken cancellationToken = default) =>
        (_upgrading ?? Task.CompletedTask).WaitAsync(cancellationToken);

    private async Task UpgradeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RebuildAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped first: the next start rebuilds, as the tables still carry the old version.
        }
        catch (Exception e)
        {
            LogUpgradeFailed(_logger, e, _projection.Name);
        }
    }

    /// <summary>
    /// Completes once the projection's committed effects include the event at <paramref name="position"/> (an
    /// <see cref="AppendResult.LastLogPosition"/>, say, for reading one's own writes). Throws
    /// <see cref="ObjectDisposedException"/> if the runner is disposed first.
    /// </summary>
    public Task WaitForAsync(LogPosition position, CancellationToken cancellationToken = default) =>
        _checkpoint.WaitForAsync(position, cancellationToken);

    public async Task<ProjectionLag> GetLagAsync(CancellationToken cancellationToken = default)
    {
        var checkpoint = await _database.ReadCheckpointAsync(_projection.Name, cancellationToken).ConfigureAwait(false);
        var behind = await _store.CountEventsAfterAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        var next = await _store.ReadAllAsync(checkpoint, 1, cancellationToken).ConfigureAwait(false);
        // Clamped: the database's clock, which stamps RecordedAt, may run slightly ahead of ours.
        var age = next.Count == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(0, (DateTimeOffset.UtcNow - next[0].RecordedAt).Ticks));
        return new ProjectionLag(checkpoint, behind, age);
    }

    /// <summary>
    /// Replays the whole log into a fresh generation of the projection's tables while the live tables keep serving
    /// and updating, then swaps the new tables in under the logical names in one transaction. Readers of the
    /// logical names may wait briefly on the swap but never see a missing or partly built table.
    /// One rebuild of a projection at a time (across processes too: a rebuild drops tables left by an abandoned one).
    /// </summary>
    public async Task RebuildAsync(CancellationToken cancellationToken = default)
    {
        await _rebuildLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _database.EnsureCheckpointTableAsync(cancellationToken).ConfigureAwait(false);
            await DropAbandonedRebuildTablesAsync(cancellationToken).ConfigureAwait(false);
            var suffix = RebuildMarker + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var rebuildTables = _projection.Tables.ToDictionary(t => t, t => t + suffix, StringComparer.Ordinal);
            var swapped = false;
            try
            {
                await CreateTablesAsync(rebuildTables, cancellationToken).ConfigureAwait(false);
                var position = await ReplayAsync(rebuildTables, cancellationToken).ConfigureAwait(false);

                await _applyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    // With the live tables paused their checkpoint stands still, so this catch-up has a fixed end.
                    // Whatever comes after it is applied by the live runner, to the swapped-in tables.
                    do
                    {
                        var live = await _database.ReadCheckpointAsync(_projection.Name, cancellationToken).ConfigureAwait(false);
                        position = await CatchUpAsync(rebuildTables, position, live, long.MaxValue, cancellationToken).ConfigureAwait(false);
                    }
                    while (!await TrySwapInAsync(rebuildTables, position, cancellationToken).ConfigureAwait(false));
                    swapped = true;
                }
                finally
                {
                    _applyLock.Release();
                }

                Publish(position);
                LogRebuilt(_logger, _projection.Name, position);
            }
            finally
            {
                if (!swapped)
                    await DropRebuildTablesQuietlyAsync(rebuildTables.Values).ConfigureAwait(false);
            }
        }
        finally
        {
            _rebuildLock.Release();
        }
    }

    private async Task EnsureTablesAsync(CancellationToken cancellationToken)
    {
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await _database.LockSchemaChangesAsync(write, cancellationToken).ConfigureAwait(false);
        var existing = await _database.ListTablesAsync(write.Connection, write.Transaction, cancellationToken).ConfigureAwait(false);
        var missing = _projection.Tables.Count(t => !existing.Contains(t));
        if (missing == 0)
            return;
        if (missing < _projection.Tables.Count)
            LogRecreatingTables(_logger, _projection.Name);

        // Fresh tables hold no effects, so the projection starts over from the beginning of the log.
        foreach (var table in _projection.Tables)
            await _database.DropTableAsync(write, table, cancellationToken).ConfigureAwait(false);
        await _projection.CreateTablesAsync(Context(write, _liveTables), cancellationToken).ConfigureAwait(false);
        await _database.WriteCheckpointAsync(write, _projection.Name, LogPosition.Start, cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var subscriptionOptions = new SubscriptionOptions { BatchSize = _options.BatchSize, MaxPollInterval = _options.MaxPollInterval };
        while (!stop.IsCancellationRequested)
        {
            try
            {
                // The durable checkpoint, not the subscription's position: a failed batch may have half-applied and rolled back.
                var checkpoint = await _database.ReadCheckpointAsync(_projection.Name, stop).ConfigureAwait(false);
                Publish(checkpoint);
                await using var subscription = EventSubscription.Start(_store, checkpoint, ApplyLiveBatchAsync, subscriptionOptions);
                await subscription.Completion.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var delay = RetryDelay(Interlocked.Increment(ref _failedAttempts));
                LogBatchFailed(_logger, e, _projection.Name, Checkpoint, delay);
                try
                {
                    await Task.Delay(delay, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private TimeSpan RetryDelay(int failedAttempts)
    {
        var doublings = Math.Min(failedAttempts - 1, 16);
        var ticks = Math.Min(_options.MinRetryDelay.Ticks << doublings, _options.MaxRetryDelay.Ticks);
        return TimeSpan.FromTicks(ticks);
    }

    private async Task ApplyLiveBatchAsync(IReadOnlyList<RecordedEvent> batch, CancellationToken cancellationToken)
    {
        await _applyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var write = await _database.BeginWriteAsync(WriteDurability.Rebuildable, cancellationToken).ConfigureAwait(false);
            var checkpoint = await _database.ReadCheckpointForUpdateAsync(write, _projection.Name, cancellationToken).ConfigureAwait(false);
            // Events up to the checkpoint already took effect: applied by another runner of this projection, or
            // contained in tables a rebuild swapped in while this subscription was behind.
            var pending = batch.Where(e => e.LogPosition > checkpoint).ToList();
            if (pending.Count == 0)
            {
                Publish(checkpoint);
                return;
            }

            await ApplyAsync(write, _liveTables, pending, cancellationToken).ConfigureAwait(false);
            var last = pending[^1].LogPosition;
            await _database.WriteCheckpointAsync(write, _projection.Name, last, cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
            Publish(last);
            ProjectionTelemetry.RecordApplied(_projection.Name, pending, DateTimeOffset.UtcNow);
            Volatile.Write(ref _failedAttempts, 0);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    private async Task ApplyAsync(WriteTransaction write, IReadOnlyDictionary<string, string> tables,
        IReadOnlyList<RecordedEvent> events, CancellationToken cancellationToken)
    {
        var context = Context(write, tables);
        var batched = _projection as IBatchProjection;
        if (batched is not null)
            await batched.BeginBatchAsync(context, events, cancellationToken).ConfigureAwait(false);
        foreach (var recorded in events)
        {
            try
            {
                await _projection.ApplyAsync(context, recorded, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new ProjectionApplyException(_projection.Name, recorded, e);
            }
        }

        if (batched is not null)
            await batched.EndBatchAsync(context, cancellationToken).ConfigureAwait(false);
        // The batch's queued writes go before the checkpoint, in the same transaction.
        await context.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private ProjectionContext Context(WriteTransaction write, IReadOnlyDictionary<string, string> tables) =>
        new(write.Connection, write.Transaction, _database.Dialect, tables);

    private async Task CreateTablesAsync(IReadOnlyDictionary<string, string> tables, CancellationToken cancellationToken)
    {
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await _database.LockSchemaChangesAsync(write, cancellationToken).ConfigureAwait(false);
        await _projection.CreateTablesAsync(Context(write, tables), cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replays the log into the rebuild tables without pausing the live runner. Each pass replays what was in the
    /// log when it began; passes stop once a pass begins less than a batch behind, so the paused catch-up that
    /// follows is short, or after a few passes when appends outpace the replay (that pause is then longer, but ends).
    /// </summary>
    private async Task<LogPosition> ReplayAsync(IReadOnlyDictionary<string, string> rebuildTables, CancellationToken cancellationToken)
    {
        var position = LogPosition.Start;
        for (var pass = 0; pass < MaxReplayPasses; pass++)
        {
            var behind = await _store.CountEventsAfterAsync(position, cancellationToken).ConfigureAwait(false);
            if (behind <= _options.BatchSize)
                break;
            position = await CatchUpAsync(rebuildTables, position, EndOfLog, behind, cancellationToken).ConfigureAwait(false);
        }

        return position;
    }

    /// <summary>
    /// Applies the log after <paramref name="position"/> to the rebuild tables, a batch per transaction, until it reaches
    /// <paramref name="target"/>, has applied <paramref name="maxEvents"/> or finds nothing more; returns the new position.
    /// </summary>
    private async Task<LogPosition> CatchUpAsync(IReadOnlyDictionary<string, string> rebuildTables, LogPosition position,
        LogPosition target, long maxEvents, CancellationToken cancellationToken)
    {
        long applied = 0;
        while (position < target && applied < maxEvents)
        {
            var page = await _store.ReadAllAsync(position, _options.BatchSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
                break;
            // No checkpoint row here: the rebuild's position lives in memory, and a failed rebuild is discarded whole.
            await using var write = await _database.BeginWriteAsync(WriteDurability.Rebuildable, cancellationToken).ConfigureAwait(false);
            await ApplyAsync(write, rebuildTables, page, cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
            position = page[^1].LogPosition;
            applied += page.Count;
        }

        return position;
    }

    /// <summary>
    /// Puts the rebuild tables under the logical names and moves the checkpoint to <paramref name="position"/>, in one
    /// transaction. Refuses (false) if the checkpoint has meanwhile passed <paramref name="position"/>, which only a
    /// runner of this projection in another process can do: the swapped-in tables would then miss its events.
    /// </summary>
    private async Task<bool> TrySwapInAsync(IReadOnlyDictionary<string, string> rebuildTables, LogPosition position,
        CancellationToken cancellationToken)
    {
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await _database.LockSchemaChangesAsync(write, cancellationToken).ConfigureAwait(false);
        if (await _database.ReadCheckpointForUpdateAsync(write, _projection.Name, cancellationToken).ConfigureAwait(false) > position)
            return false;
        foreach (var (logical, physical) in rebuildTables)
        {
            await _database.DropTableAsync(write, logical, cancellationToken).ConfigureAwait(false);
            await _database.RenameTableAsync(write, physical, logical, cancellationToken).ConfigureAwait(false);
        }

        await _database.WriteCheckpointAsync(write, _projection.Name, position, cancellationToken).ConfigureAwait(false);
        await _database.WriteProjectionVersionAsync(write, _projection.Name, _projection.Version, cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task DropAbandonedRebuildTablesAsync(CancellationToken cancellationToken)
    {
        var prefixes = _projection.Tables.Select(t => t + RebuildMarker).ToList();
        var abandoned = (await _database.ListTablesAsync(cancellationToken).ConfigureAwait(false))
            .Where(name => prefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();
        if (abandoned.Count == 0)
            return;
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        foreach (var table in abandoned)
            await _database.DropTableAsync(write, table, cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DropRebuildTablesQuietlyAsync(IEnumerable<string> tables)
    {
        try
        {
            await using var write = await _database.BeginWriteAsync(CancellationToken.None).ConfigureAwait(false);
            foreach (var table in tables)
                await _database.DropTableAsync(write, table, CancellationToken.None).ConfigureAwait(false);
            await write.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The next rebuild drops them; the rebuild's own failure is the error worth reporting.
            LogRebuildCleanupFailed(_logger, e, _projection.Name);
        }
    }

    private void Publish(LogPosition position) => _checkpoint.Advance(position);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_upgrading is not null)
            await _upgrading.ConfigureAwait(false);
        if (_running is not null)
            await _running.ConfigureAwait(false);
        // Waiters would otherwise wait for a checkpoint this runner will never reach.
        _checkpoint.Abandon(new ObjectDisposedException(nameof(ProjectionRunner)));
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Projection {Projection} failed after {Checkpoint}; retrying from its durable checkpoint in {Delay}")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, string projection, LogPosition checkpoint, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Projection {Projection}'s tables were written by version {Old}; rebuilding them as version {Version} while the old ones serve")]
    private static partial void LogUpgrading(ILogger logger, string projection, int old, int version);

    [LoggerMessage(Level = LogLevel.Error, Message = "Projection {Projection} could not be rebuilt as its new version; the old tables keep serving and the next start tries again")]
    private static partial void LogUpgradeFailed(ILogger logger, Exception exception, string projection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Projection {Projection} had only some of its tables; recreating them and replaying the log")]
    private static partial void LogRecreatingTables(ILogger logger, string projection);

    [LoggerMessage(Level = LogLevel.Information, Message = "Projection {Projection} rebuilt up to {Position} and swapped in")]
    private static partial void LogRebuilt(ILogger logger, string projection, LogPosition position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Projection {Projection} could not drop the tables of a failed rebuild")]
    private static partial void LogRebuildCleanupFailed(ILogger logger, Exception exception, string projection);
}
