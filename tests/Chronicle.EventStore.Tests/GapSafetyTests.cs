using System.Collections.Concurrent;
using Chronicle.EventStore.Postgres;

namespace Chronicle.EventStore.Tests;

/// <summary>
/// Concurrent writers commit out of position order while a subscriber tails the global log: the
/// subscriber must still see every committed event exactly once, in log order, and nothing rolled back.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGapSafetyTests(PostgresFixture postgres)
{
    [Fact]
    [Trait("Category", "Stress")]
    public async Task GivenSixteenWritersWithRandomDelaysInsideTransactions_WhenASubscriberTailsTheLog_ThenItSeesEveryCommittedEventOnceInOrder()
    {
        const int Writers = 16;
        const int TargetEvents = 100_000;
        await using var store = await postgres.CreateStoreAsync();
        var acknowledged = new ConcurrentDictionary<Guid, string>();
        var rolledBack = new ConcurrentBag<Guid>();
        var appended = 0;

        var received = new List<RecordedEvent>();
        var subscription = EventSubscription.Start(store, LogPosition.Start, (page, _) =>
        {
            lock (received)
                received.AddRange(page);
            return Task.CompletedTask;
        });

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            var random = new Random(writer);
            var versions = new long[4];
            Array.Fill(versions, StreamState.NoStreamVersion);
            while (Volatile.Read(ref appended) < TargetEvents)
            {
                var streamIndex = random.Next(versions.Length);
                var stream = $"gap-{writer}-{streamIndex}";
                var expected = versions[streamIndex] < 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exact(versions[streamIndex]);
                var batch = TestEvents.Batch(random.Next(1, 13));
                await using var connection = await store.DataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                if (random.Next(4) == 0)
                    await Task.Delay(random.Next(0, 3));
                var result = await store.AppendAsync(transaction, stream, expected, batch);
                // Hold the drawn positions uncommitted for a while so later positions commit first.
                if (random.Next(2) == 0)
                    await Task.Delay(random.Next(1, 4));
                else
                    Thread.SpinWait(random.Next(0, 20_000));
                if (random.Next(30) == 0)
                {
                    await transaction.RollbackAsync();
                    foreach (var e in batch)
                        rolledBack.Add(e.EventId);
                    continue;
                }

                await transaction.CommitAsync();
                versions[streamIndex] = result.NextExpectedVersion;
                foreach (var e in batch)
                    acknowledged[e.EventId] = stream;
                Interlocked.Add(ref appended, batch.Length);
            }
        })));

        await EventStoreContract.WaitUntilAsync(() => { lock (received) return received.Count >= acknowledged.Count; }, timeoutSeconds: 300);
        await subscription.StopAsync();

        Assert.True(acknowledged.Count >= TargetEvents);
        AssertExactlyOnceInLogOrder(received, acknowledged, rolledBack);
        var log = await TestEvents.ReadWholeLogAsync(store);
        Assert.Equal(log.Select(e => e.EventId), received.Select(e => e.EventId));
    }

    internal static void AssertExactlyOnceInLogOrder(List<RecordedEvent> received, IReadOnlyDictionary<Guid, string> acknowledged,
        IEnumerable<Guid> rolledBack)
    {
        Assert.Equal(acknowledged.Count, received.Count);
        Assert.Equal(received.Count, received.Select(e => e.EventId).Distinct().Count());
        Assert.All(received, e => Assert.Equal(acknowledged[e.EventId], e.StreamId));
        Assert.Empty(rolledBack.Intersect(received.Select(e => e.EventId)));
        for (var i = 1; i < received.Count; i++)
            Assert.True(received[i - 1].LogPosition < received[i].LogPosition, $"log order broken at {i}");
        foreach (var stream in received.GroupBy(e => e.StreamId))
            Assert.Equal(Enumerable.Range(0, stream.Count()).Select(v => (long)v), stream.Select(e => e.StreamVersion));
    }
}

/// <summary>The same property through the plain append path, on both backends.</summary>
public abstract class ConcurrentWritersWithSubscriber
{
    protected abstract Task<IEventStore> CreateStoreAsync();

    [Fact]
    public async Task GivenSixteenConcurrentWriters_WhenALiveSubscriberTailsTheLog_ThenItSeesEveryEventOnceInLogOrder()
    {
        const int Writers = 16;
        const int AppendsPerWriter = 60;
        await using var store = await CreateStoreAsync();
        var acknowledged = new ConcurrentDictionary<Guid, string>();
        var received = new List<RecordedEvent>();
        var subscription = EventSubscription.Start(store, LogPosition.Start, (page, _) =>
        {
            lock (received)
                received.AddRange(page);
            return Task.CompletedTask;
        }, new SubscriptionOptions { BatchSize = 50 });

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            var random = new Random(writer);
            var stream = $"writer-{writer}";
            var expected = ExpectedVersion.NoStream;
            for (var i = 0; i < AppendsPerWriter; i++)
            {
                var batch = TestEvents.Batch(random.Next(1, 6));
                var result = await store.AppendAsync(stream, expected, batch);
                expected = ExpectedVersion.Exact(result.NextExpectedVersion);
                foreach (var e in batch)
                    acknowledged[e.EventId] = stream;
            }
        })));

        await EventStoreContract.WaitUntilAsync(() => { lock (received) return received.Count >= acknowledged.Count; });
        await subscription.StopAsync();
        PostgresGapSafetyTests.AssertExactlyOnceInLogOrder(received, acknowledged, []);
    }
}

public sealed class SqliteConcurrentWritersTests : ConcurrentWritersWithSubscriber, IDisposable
{
    private readonly SqliteFiles _files = new();

    protected override async Task<IEventStore> CreateStoreAsync() => await _files.CreateStoreAsync();

    public void Dispose() => _files.Dispose();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresConcurrentWritersTests(PostgresFixture postgres) : ConcurrentWritersWithSubscriber
{
    protected override async Task<IEventStore> CreateStoreAsync() => await postgres.CreateStoreAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresOrderingTests(PostgresFixture postgres)
{
    [Fact]
    public async Task GivenACallerTransactionThatWroteBeforeAppending_WhenAnotherWriterAppendedMeanwhile_ThenTheAppendIsRefusedAsOutOfOrder()
    {
        await using PostgresEventStore store = await postgres.CreateStoreAsync();
        var stream = TestEvents.NewStream();
        await store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Batch(1));

        await using var connection = await store.DataSource.OpenConnectionAsync();
        await using var early = await connection.BeginTransactionAsync();
        await using (var write = new Npgsql.NpgsqlCommand("select pg_current_xact_id()", connection, early))
            await write.ExecuteScalarAsync();

        // A later transaction appends to the stream and commits first.
        await store.AppendAsync(stream, ExpectedVersion.Exact(0), TestEvents.Batch(1));

        await Assert.ThrowsAsync<AppendOrderConflictException>(
            () => store.AppendAsync(early, stream, ExpectedVersion.Exact(1), TestEvents.Batch(1)));
        await early.RollbackAsync();

        var log = await TestEvents.ReadWholeLogAsync(store);
        Assert.Equal([0L, 1], log.Select(e => e.StreamVersion));
    }
}
