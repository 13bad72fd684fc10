using Chronicle.EventStore;

namespace Chronicle.Projections.Tests;

/// <summary>
/// Counts events per stream and in total. Counters make a repeated or skipped event visible as a wrong number.
/// Can be told to fail the first time it meets one event, to exercise the runner's retry path.
/// </summary>
public sealed class StreamCountsProjection : IProjection
{
    public const string StreamCounts = "stream_counts";
    public const string Totals = "event_totals";

    private Guid? _failOnce;
    private int _failures;

    public string Name => "stream-counts";

    public IReadOnlyList<string> Tables { get; } = [StreamCounts, Totals];

    /// <summary>How many times the projection has thrown.</summary>
    public int Failures => Volatile.Read(ref _failures);

    public StreamCountsProjection FailingOnceOn(Guid eventId)
    {
        _failOnce = eventId;
        return this;
    }

    public async Task CreateTablesAsync(ProjectionContext context, CancellationToken cancellationToken)
    {
        var counts = context.Table(StreamCounts);
        await using (var command = context.CreateCommand($"""
            create table {counts} (stream_id text primary key, events bigint not null, last_version bigint not null)
            """))
            await command.ExecuteNonQueryAsync(cancellationToken);
        // Named after the physical table: the index keeps this name when a rebuild renames the table.
        await using (var command = context.CreateCommand($"create index {counts}_by_events on {counts} (events)"))
            await command.ExecuteNonQueryAsync(cancellationToken);
        await using (var command = context.CreateCommand($"create table {context.Table(Totals)} (id integer primary key, events bigint not null)"))
            await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ApplyAsync(ProjectionContext context, RecordedEvent recorded, CancellationToken cancellationToken)
    {
        var counts = context.Table(StreamCounts);
        await using (var command = context.CreateCommand($"""
            insert into {counts} (stream_id, events, last_version) values (@stream, 1, @version)
            on conflict (stream_id) do update set events = {counts}.events + 1, last_version = excluded.last_version
            """, ("stream", recorded.StreamId), ("version", recorded.StreamVersion)))
            await command.ExecuteNonQueryAsync(cancellationToken);

        if (_failOnce == recorded.EventId)
        {
            _failOnce = null;
            Interlocked.Increment(ref _failures);
            throw new InvalidOperationException($"Injected failure on event {recorded.EventId}.");
        }

        var totals = context.Table(Totals);
        await using (var command = context.CreateCommand($"""
            insert into {totals} (id, events) values (1, 1)
            on conflict (id) do update set events = {totals}.events + 1
            """))
            await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>
/// The same counts through <see cref="IBatchProjection"/>: each event's effect is queued with
/// <see cref="ProjectionContext.Enqueue"/> and the total is written once, at the end of the batch.
/// </summary>
public sealed class QueuedStreamCountsProjection : IBatchProjection
{
    private readonly StreamCountsProjection _tables = new();
    private int _batches;

    public string Name => _tables.Name;

    public IReadOnlyList<string> Tables => _tables.Tables;

    /// <summary>Batches begun and ended in pairs.</summary>
    public int Batches => Volatile.Read(ref _batches);

    public Task CreateTablesAsync(ProjectionContext context, CancellationToken cancellationToken) =>
        _tables.CreateTablesAsync(context, cancellationToken);

    public Task BeginBatchAsync(ProjectionContext context, IReadOnlyList<RecordedEvent> events, CancellationToken cancellationToken)
    {
        Assert.Null(context.BatchState);
        context.BatchState = 0L;
        return Task.CompletedTask;
    }

    public Task ApplyAsync(ProjectionContext context, RecordedEvent recorded, CancellationToken cancellationToken)
    {
        var counts = context.Table(StreamCountsProjection.StreamCounts);
        context.Enqueue($"""
            insert into {counts} (stream_id, events, last_version) values (@stream, 1, @version)
            on conflict (stream_id) do update set events = {counts}.events + 1, last_version = excluded.last_version
            """, ("stream", recorded.StreamId), ("version", recorded.StreamVersion));
        context.BatchState = (long)context.BatchState! + 1;
        return Task.CompletedTask;
    }

    public Task EndBatchAsync(ProjectionContext context, CancellationToken cancellationToken)
    {
        var totals = context.Table(StreamCountsProjection.Totals);
        context.Enqueue($"""
            insert into {totals} (id, events) values (1, @n)
            on conflict (id) do update set events = {totals}.events + excluded.events
            """, ("n", (long)context.BatchState!));
        Interlocked.Increment(ref _batches);
        return Task.CompletedTask;
    }
}

/// <summary>What the projection's tables hold, or what a replay of the log says they should hold.</summary>
public sealed record StreamCounts(IReadOnlyDictionary<string, (long Events, long LastVersion)> ByStream, long Total)
{
    public static StreamCounts Expected(IReadOnlyList<RecordedEvent> log) => new(
        log.GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => ((long)g.Count(), g.Max(e => e.StreamVersion))),
        log.Count);

    public static async Task<StreamCounts> ReadAsync(ReadModelDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync();
        var byStream = new Dictionary<string, (long, long)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"select stream_id, events, last_version from {StreamCountsProjection.StreamCounts}";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                byStream.Add(reader.GetString(0), (reader.GetInt64(1), reader.GetInt64(2)));
        }

        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"select coalesce(sum(events), 0) from {StreamCountsProjection.Totals}";
            var total = Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
            return new StreamCounts(byStream, total);
        }
    }

    public bool Equals(StreamCounts? other) =>
        other is not null && Total == other.Total && ByStream.Count == other.ByStream.Count
        && ByStream.All(kv => other.ByStream.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public override int GetHashCode() => HashCode.Combine(Total, ByStream.Count);

    public override string ToString() =>
        $"total {Total}; " + string.Join(", ", ByStream.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value.Events}@v{kv.Value.LastVersion}"));
}

/// <summary>Counts events per stream and stamps each row with the version that wrote it, so a row left by another version shows.</summary>
public sealed class VersionedCountsProjection(int version) : IProjection
{
    public const string ProjectionName = "versioned-counts";
    private const string CountsTable = "versioned_counts";
    private int _applied;

    public string Name => ProjectionName;

    public int Version => version;

    public IReadOnlyList<string> Tables { get; } = [CountsTable];

    /// <summary>How many events this instance has applied, rebuilds included.</summary>
    public int Applied => Volatile.Read(ref _applied);

    public async Task CreateTablesAsync(ProjectionContext context, CancellationToken cancellationToken)
    {
        await using var command = context.CreateCommand(
            $"create table {context.Table(CountsTable)} (stream_id text primary key, events bigint not null, written_by integer not null)");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task ApplyAsync(ProjectionContext context, RecordedEvent recorded, CancellationToken cancellationToken)
    {
        var counts = context.Table(CountsTable);
        await using var command = context.CreateCommand($"""
            insert into {counts} (stream_id, events, written_by) values (@stream, 1, @version)
            on conflict (stream_id) do update set events = {counts}.events + 1, written_by = excluded.written_by
            """, ("stream", recorded.StreamId), ("version", version));
        await command.ExecuteNonQueryAsync(cancellationToken);
        Interlocked.Increment(ref _applied);
    }

    /// <summary>The versions that wrote the rows, each once, in order.</summary>
    public static async Task<IReadOnlyList<int>> WrittenByAsync(ReadModelDatabase database)
    {
        var versions = new SortedSet<int>();
        await using var connection = await database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"select distinct written_by from {CountsTable}";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            versions.Add(Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        return [.. versions];
    }

    public static async Task<Dictionary<string, long>> CountsAsync(ReadModelDatabase database)
    {
        var counts = new Dictionary<string, long>();
        await using var connection = await database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"select stream_id, events from {CountsTable}";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }
}
