using System.Text;
using Chronicle.EventStore;
using Chronicle.Testing;

namespace Chronicle.Projections.Tests;

/// <summary>The runner's guarantees, proven on every read-model backend.</summary>
public abstract class ProjectionRunnerTests(StorageBackend storage)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private Task<TestStorage> CreateBackendAsync() => TestStorage.CreateAsync(storage, new() { Name = "projections" });

    private static ProjectionRunnerOptions Options(int batchSize) => new()
    {
        BatchSize = batchSize,
        MinRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        MaxPollInterval = TimeSpan.FromMilliseconds(20),
    };

    [Fact]
    public async Task GivenEventsAppendedBeforeAndWhileTheRunnerRuns_WhenProjected_ThenEveryEventTakesEffectExactlyOnce()
    {
        await using var backend = await CreateBackendAsync();
        await AppendAsync(backend.Events, streams: 12, appendsPerStream: 3, eventsPerAppend: 4);
        await using var runner = new ProjectionRunner(backend.Events, backend.ReadModels, new StreamCountsProjection(), Options(batchSize: 25));
        await runner.StartAsync();
        var last = await AppendAsync(backend.Events, streams: 12, appendsPerStream: 2, eventsPerAppend: 3);

        await WaitForAsync(runner, last);

        var log = await ReadWholeLogAsync(backend.Events);
        Assert.Equal(12 * 3 * 4 + 12 * 2 * 3, log.Count);
        Assert.Equal(StreamCounts.Expected(log), await StreamCounts.ReadAsync(backend.ReadModels));
        Assert.Equal(last, await backend.ReadModels.ReadCheckpointAsync("stream-counts"));
    }

    [Fact]
    public async Task GivenABatchProjectionQueueingItsWrites_WhenProjected_ThenTheyTakeEffectExactlyOnceWithTheCheckpoint()
    {
        await using var backend = await CreateBackendAsync();
        await AppendAsync(backend.Events, streams: 9, appendsPerStream: 3, eventsPerAppend: 4);
        var projection = new QueuedStreamCountsProjection();
        await using var runner = new ProjectionRunner(backend.Events, backend.ReadModels, projection, Options(batchSize: 25));
        await runner.StartAsync();
        var last = await AppendAsync(backend.Events, streams: 9, appendsPerStream: 2, eventsPerAppend: 3);

        await WaitForAsync(runner, last);
        var log = await ReadWholeLogAsync(backend.Events);
        Assert.Equal(StreamCounts.Expected(log), await StreamCounts.ReadAsync(backend.ReadModels));
        Assert.Equal(last, await backend.ReadModels.ReadCheckpointAsync("stream-counts"));
        Assert.True(projection.Batches >= log.Count / 25);

        await runner.RebuildAsync().WaitAsync(Patience);
        Assert.Equal(StreamCounts.Expected(log), await StreamCounts.ReadAsync(backend.ReadModels));
    }

    [Fact]
    public async Task GivenAnEventThatFailsOnceMidBatch_WhenProjected_ThenTheBatchIsRolledBackAndRetriedWithoutSkippingIt()
    {
        await using var backend = await CreateBackendAsync();
        var last = await AppendAsync(backend.Events, streams: 10, appendsPerStream: 4, eventsPerAppend: 5);
        var log = await ReadWholeLogAsync(backend.Events);
        // In the middle of a batch, so events before it in the same transaction must be rolled back too.
        var projection = new StreamCountsProjection().FailingOnceOn(log[137].EventId);
        await using var runner = new ProjectionRunner(backend.Events, backend.ReadModels, projection, Options(batchSize: 50));

        await runner.StartAsync();
        await WaitForAsync(runner, last);

        Assert.Equal(1, projection.Failures);
        Assert.Equal(StreamCounts.Expected(log), await StreamCounts.ReadAsync(backend.ReadModels));
        Assert.Equal(last, await backend.ReadModels.ReadCheckpointAsync("stream-counts"));
    }

    [Fact]
    public async Task GivenARunnerDisposedMidLog_WhenANewRunnerStarts_ThenItResumesWhereTheOldOneStopped()
    {
        await using var backend = await CreateBackendAsync();
        await AppendAsync(backend.Events, streams: 10, appendsPerStream: 10, eventsPerAppend: 2);
        var log = await ReadWholeLogAsync(backend.Events);

        var first = new ProjectionRunner(backend.Events, backend.ReadModels, new StreamCountsProjection(), Options(batchSize: 10));
        await first.StartAsync();
        await WaitForAsync(first, log[60].LogPosition);
        await first.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => first.WaitForAsync(new LogPosition(long.MaxValue, long.MaxValue)));
        var stoppedAt = await backend.ReadModels.ReadCheckpointAsync("stream-counts");
        Assert.True(stoppedAt >= log[60].LogPosition);

        var last = await AppendAsync(backend.Events, streams: 5, appendsPerStream: 4, eventsPerAppend: 3);
        await using var second = new ProjectionRunner(backend.Events, backend.ReadModels, new StreamCountsProjection(), Options(batchSize: 10));
        await second.StartAsync();
        await WaitForAsync(second, last);

        Assert.Equal(StreamCounts.Expected(await ReadWholeLogAsync(backend.Events)), await StreamCounts.ReadAsync(backend.ReadModels));
        Assert.Equal(last, await backend.ReadModels.ReadCheckpointAsync("stream-counts"));
    }

    [Fact]
    public async Task GivenTwoRunnersOfOneProjection_WhenBothRun_ThenEachEventIsAppliedOnce()
    {
        await using var backend = await CreateBackendAsync();
        await using var one = new ProjectionRunner(backend.Events, backend.ReadModels, new StreamCountsProjection(), Options(batchSize: 7));
        await using var other = new ProjectionRunner(backend.Events, backend.ReadModels, new StreamCountsProjection(), Options(batchSize: 11));
        await one.StartAsync();
        await other.StartAsync();

        var last = await AppendAsync(backend.Events, streams: 8, appendsPerStream: 5, eventsPerAppend: 3);
        await WaitForAsync(one, last);
        await WaitForAsync(other, last);

        Assert.Equal(StreamCounts.Expected(await ReadWholeLogAsync(backend.Events)), await StreamCounts.ReadAsync(backend.ReadModels));
    }

    [Fact]
    public async Task GivenUnprocessedEvents_WhenLagIsAsked_ThenItCountsThemAndIsZeroOnceCaughtUp()
    {
        await using var backend = await CreateBackendAsync();
        var last = await AppendAsync(backend.Events, streams: 5, appendsPerStream: 2, eventsPerAppend: 3);
        await using var runner = new ProjectionRunner(backend.Events, backend.ReadModels, new StreamCountsProjection(), Options(batchSize: 10));

        var before = await runner.GetLagAsync();
        Assert.Equal(LogPosition.Start, before.Checkpoint);
        Assert.Equal(30, before.EventsBehind);
        Assert.True(before.OldestUnprocessedAge > TimeSpan.Zero, $"age {before.OldestUnprocessedAge}");

        await runner.StartAsync();
        await WaitForAsync(runner, last);

        var after = await runner.GetLagAsync();
        Assert.Equal(last, after.Checkpoint);
        Assert.Equal(0, after.EventsBehind);
        Assert.Equal(TimeSpan.Zero, after.OldestUnprocessedAge);
    }

    [Fact]
    public async Task GivenReadersAndWritersCarryingOn_WhenRebuilt_ThenAFullReplayIsSwappedIn()
    {
        await using var backend = await CreateBackendAsync();
        await using var runner = new ProjectionRunner(backend.Events, backend.ReadModels, new StreamCountsProjection(), Options(batchSize: 20));
        await runner.StartAsync();
        await WaitForAsync(runner, await AppendAsync(backend.Events, streams: 10, appendsPerStream: 5, eventsPerAppend: 4));

        // Damage the live tables (as a projection bug would): only a replay into fresh tables repairs this. Lowering
        // counts keeps what the reader below may rely on true: the totals it sees can only grow.
        await ExecuteAsync(backend.ReadModels, "update stream_counts set events = events - 1 where stream_id = 'stream-0'");
        await ExecuteAsync(backend.ReadModels, "update event_totals set events = events - 1");

        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() => ReadWhileRebuildingAsync(backend.ReadModels, stop.Token));
        var rebuilt = false;
        var writer = Task.Run(async () =>
        {
            var appends = 0;
            var lastAppended = LogPosition.Start;
            while (!Volatile.Read(ref rebuilt) || appends < 5)
            {
                lastAppended = (await backend.Events.AppendAsync($"stream-{appends % 13}", ExpectedVersion.Any, Events(3))).LastLogPosition;
                appends++;
                // Paced, so the log the rebuild replays stays small enough for a quick test.
                await Task.Delay(2);
            }

            return lastAppended;
        });

        Reads reads;
        try
        {
            await runner.RebuildAsync().WaitAsync(Patience);
        }
        finally
        {
            Volatile.Write(ref rebuilt, true);
            await WaitForAsync(runner, await writer.WaitAsync(Patience));
            await stop.CancelAsync();
            reads = await reader.WaitAsync(Patience);
        }

        Assert.Empty(reads.Errors);
        Assert.Empty(reads.Decreases);
        Assert.True(reads.Count > 0);
        Assert.Equal(StreamCounts.Expected(await ReadWholeLogAsync(backend.Events)), await StreamCounts.ReadAsync(backend.ReadModels));

        // Again, to show a rebuild of rebuilt tables works (index names must not collide), and the live runner
        // keeps applying to the swapped-in tables.
        await runner.RebuildAsync().WaitAsync(Patience);
        var last = await AppendAsync(backend.Events, streams: 3, appendsPerStream: 1, eventsPerAppend: 2);
        await WaitForAsync(runner, last);

        Assert.Equal(StreamCounts.Expected(await ReadWholeLogAsync(backend.Events)), await StreamCounts.ReadAsync(backend.ReadModels));
        Assert.Equal(last, await backend.ReadModels.ReadCheckpointAsync("stream-counts"));
        var tables = await backend.ReadModels.ListTablesAsync();
        Assert.Contains("stream_counts", tables);
        Assert.Contains("event_totals", tables);
        Assert.DoesNotContain(tables, t => t.Contains("__rebuild", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenARebuildThatFails_WhenItStops_ThenItsTablesAreDroppedAndTheLiveOnesKeepServing()
    {
        await using var backend = await CreateBackendAsync();
        var projection = new StreamCountsProjection();
        await using var runner = new ProjectionRunner(backend.Events, backend.ReadModels, projection, Options(batchSize: 10));
        await runner.StartAsync();
        await WaitForAsync(runner, await AppendAsync(backend.Events, streams: 4, appendsPerStream: 3, eventsPerAppend: 2));
        var log = await ReadWholeLogAsync(backend.Events);

        // The live runner has applied every event, so only the rebuild's replay meets this one.
        projection.FailingOnceOn(log[7].EventId);
        var failure = await Assert.ThrowsAsync<ProjectionApplyException>(() => runner.RebuildAsync());

        Assert.Equal(log[7].LogPosition, failure.Position);
        Assert.DoesNotContain(await backend.ReadModels.ListTablesAsync(), t => t.Contains("__rebuild", StringComparison.Ordinal));
        var last = await AppendAsync(backend.Events, streams: 2, appendsPerStream: 1, eventsPerAppend: 2);
        await WaitForAsync(runner, last);
        Assert.Equal(StreamCounts.Expected(await ReadWholeLogAsync(backend.Events)), await StreamCounts.ReadAsync(backend.ReadModels));
    }

    [Fact]
    public async Task GivenTablesAnAbandonedRebuildLeftBehind_WhenRebuilt_ThenTheyAreDropped()
    {
        await using var backend = await CreateBackendAsync();
        await using var runner = new ProjectionRunner(backend.Events, backend.ReadModels, new StreamCountsProjection(), Options(batchSize: 10));
        await runner.StartAsync();
        await WaitForAsync(runner, await AppendAsync(backend.Events, streams: 3, appendsPerStream: 2, eventsPerAppend: 2));
        await ExecuteAsync(backend.ReadModels, "create table stream_counts__rebuild_1 (stream_id text primary key)");

        await runner.RebuildAsync();

        var tables = await backend.ReadModels.ListTablesAsync();
        Assert.DoesNotContain(tables, t => t.Contains("__rebuild", StringComparison.Ordinal));
        Assert.Equal(StreamCounts.Expected(await ReadWholeLogAsync(backend.Events)), await StreamCounts.ReadAsync(backend.ReadModels));
    }

    private sealed record Reads(int Count, IReadOnlyList<Exception> Errors, IReadOnlyList<string> Decreases);

    /// <summary>
    /// Queries the logical table until stopped. Each commit (a live batch or the swap) only adds to what a previous
    /// one showed, so neither the row count nor the sum of counts may ever go down, and no query may fail.
    /// </summary>
    private static async Task<Reads> ReadWhileRebuildingAsync(ReadModelDatabase database, CancellationToken stop)
    {
        var errors = new List<Exception>();
        var decreases = new List<string>();
        long rows = 0, events = 0;
        var count = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
                await using var command = connection.CreateCommand();
                command.CommandText = "select count(*), coalesce(sum(events), 0) from stream_counts";
                await using var result = await command.ExecuteReaderAsync(CancellationToken.None);
                await result.ReadAsync(CancellationToken.None);
                var (seenRows, seenEvents) = (result.GetInt64(0), result.GetInt64(1));
                if (seenRows < rows || seenEvents < events)
                    decreases.Add($"rows {rows} -> {seenRows}, events {events} -> {seenEvents}");
                (rows, events) = (Math.Max(rows, seenRows), Math.Max(events, seenEvents));
                count++;
            }
            catch (Exception e)
            {
                errors.Add(e);
            }
        }

        return new Reads(count, errors, decreases);
    }

    private static async Task WaitForAsync(ProjectionRunner runner, LogPosition position)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await runner.WaitForAsync(position, timeout.Token);
    }

    /// <summary>Appends round-robin across streams "stream-0".."stream-{n-1}"; returns the last event's position.</summary>
    [Fact]
    public async Task GivenTablesWrittenByAnOlderVersion_WhenTheNewVersionStarts_ThenItRebuildsThemWhileTheyServeAndOnlyOnce()
    {
        await using var backend = await CreateBackendAsync();
        var first = await AppendAsync(backend.Events, streams: 4, appendsPerStream: 2, eventsPerAppend: 3);
        await using (var v1 = new ProjectionRunner(backend.Events, backend.ReadModels, new VersionedCountsProjection(1), Options(batchSize: 5)))
        {
            await v1.StartAsync();
            await WaitForAsync(v1, first);
        }

        Assert.Equal(1, await backend.ReadModels.ReadProjectionVersionAsync(VersionedCountsProjection.ProjectionName));
        Assert.Equal([1], await VersionedCountsProjection.WrittenByAsync(backend.ReadModels));
        // As tables from before versions were recorded: they count as version 1's.
        await ExecuteAsync(backend.ReadModels, "delete from projection_versions");

        var v2Projection = new VersionedCountsProjection(2);
        await using (var v2 = new ProjectionRunner(backend.Events, backend.ReadModels, v2Projection, Options(batchSize: 5)))
        {
            await v2.StartAsync();
            var second = await AppendAsync(backend.Events, streams: 4, appendsPerStream: 1, eventsPerAppend: 2);
            await v2.UpgradedAsync().WaitAsync(Patience);
            await WaitForAsync(v2, second);

            Assert.Equal([2], await VersionedCountsProjection.WrittenByAsync(backend.ReadModels));
            Assert.Equal((await ReadWholeLogAsync(backend.Events)).GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => (long)g.Count()),
                await VersionedCountsProjection.CountsAsync(backend.ReadModels));
            Assert.Equal(2, await backend.ReadModels.ReadProjectionVersionAsync(VersionedCountsProjection.ProjectionName));
        }

        var again = new VersionedCountsProjection(2);
        await using (var restarted = new ProjectionRunner(backend.Events, backend.ReadModels, again, Options(batchSize: 5)))
        {
            await restarted.StartAsync();
            await restarted.UpgradedAsync().WaitAsync(Patience);
            var third = await AppendAsync(backend.Events, streams: 1, appendsPerStream: 1, eventsPerAppend: 1);
            await WaitForAsync(restarted, third);

            Assert.Equal(1, again.Applied); // the one new event: no rebuild this time
        }
    }

    private static async Task<LogPosition> AppendAsync(IEventStore store, int streams, int appendsPerStream, int eventsPerAppend)
    {
        var last = LogPosition.Start;
        for (var round = 0; round < appendsPerStream; round++)
        {
            for (var s = 0; s < streams; s++)
                last = (await store.AppendAsync($"stream-{s}", ExpectedVersion.Any, Events(eventsPerAppend))).LastLogPosition;
        }

        return last;
    }

    private static EventData[] Events(int count) => Enumerable.Range(0, count)
        .Select(i => new EventData(Guid.NewGuid(), "V1.Counted", Encoding.UTF8.GetBytes($$"""{"index":{{i}}}"""), EventMetadata.Empty))
        .ToArray();

    private static async Task<List<RecordedEvent>> ReadWholeLogAsync(IEventStore store)
    {
        var all = new List<RecordedEvent>();
        while (true)
        {
            var page = await store.ReadAllAsync(all.Count == 0 ? LogPosition.Start : all[^1].LogPosition, 1000);
            if (page.Count == 0)
                return all;
            all.AddRange(page);
        }
    }

    private static async Task ExecuteAsync(ReadModelDatabase database, string sql)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

[Collection(SharedPostgres.Collection)]
public sealed class PostgresProjectionRunnerTests() : ProjectionRunnerTests(StorageBackend.Postgres);

public sealed class SqliteProjectionRunnerTests() : ProjectionRunnerTests(StorageBackend.Sqlite);
