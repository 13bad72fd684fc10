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
