using Chronicle.EventStore.Postgres;
using Chronicle.Testing;
using Npgsql;

namespace Chronicle.EventStore.Tests;

/// <summary>What only the PostgreSQL backend can get wrong: its caller-transaction path, its transaction clock, its commits.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresFixture postgres)
{
    [Fact]
    public async Task GivenTwoCallerTransactionsStoringOneEventIdInTwoStreams_WhenTheFirstCommits_ThenTheSecondGetsAnEventIdConflict()
    {
        await using var store = await postgres.CreateStoreAsync();
        var shared = TestEvents.Event();
        var winner = TestEvents.NewStream();
        var loser = TestEvents.NewStream();

        await using var first = await store.DataSource.OpenConnectionAsync();
        await using var firstTransaction = await first.BeginTransactionAsync();
        await store.AppendAsync(firstTransaction, winner, ExpectedVersion.NoStream, [shared]);

        await using var second = await store.DataSource.OpenConnectionAsync();
        await using var secondTransaction = await second.BeginTransactionAsync();
        var blocked = store.AppendAsync(secondTransaction, loser, ExpectedVersion.NoStream, [TestEvents.Event(), shared]);
        // The second insert waits on the unique index entry of the first, uncommitted transaction.
        await EventStoreContract.WaitUntilAsync(() => IsWaitingForALock(store, second.ProcessID));
        await firstTransaction.CommitAsync();

        var conflict = await Assert.ThrowsAsync<EventIdConflictException>(() => blocked);
        Assert.Equal(shared.EventId, conflict.EventId);
        await secondTransaction.RollbackAsync();
        Assert.Equal(winner, Assert.Single(await TestEvents.ReadWholeLogAsync(store)).StreamId);
    }

    [Fact]
    public async Task GivenARepeatableReadCallerTransaction_WhenAnotherWriterAppendedAfterItsSnapshot_ThenTheAppendGetsTheActualVersion()
    {
        await using var store = await postgres.CreateStoreAsync();
        var stream = TestEvents.NewStream();
        await store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Batch(1));

        await using var connection = await store.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        await using (var snapshot = new NpgsqlCommand("select 1", connection, transaction))
            await snapshot.ExecuteScalarAsync();
        await store.AppendAsync(stream, ExpectedVersion.Exact(0), TestEvents.Batch(1));

        // The transaction's snapshot still shows version 0; the stream's unique version index knows better.
        var stale = await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => store.AppendAsync(transaction, stream, ExpectedVersion.Exact(0), TestEvents.Batch(1)));
        Assert.Equal(1, stale.ActualVersion);
        await transaction.RollbackAsync();
        Assert.Equal(new StreamState(true, 1), await store.GetStreamStateAsync(stream));
    }

    [Fact]
    public async Task GivenASessionThatCommitsAsynchronously_WhenAppendingInsideItsTransaction_ThenTheCommitIsSynchronous()
    {
        var asynchronous = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Options = "-c synchronous_commit=off" };
        await using var store = PostgresEventStore.Create(asynchronous.ConnectionString,
            new PostgresEventStoreOptions { Schema = PostgresFixture.NewSchemaName() });
        await store.InitializeAsync();
        await using var connection = await store.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var setting = new NpgsqlCommand("show synchronous_commit", connection, transaction);
        Assert.Equal("off", await setting.ExecuteScalarAsync());

        await store.AppendAsync(transaction, TestEvents.NewStream(), ExpectedVersion.NoStream, TestEvents.Batch(2));

        Assert.Equal("on", await setting.ExecuteScalarAsync());
        await transaction.CommitAsync();
    }

    [Fact]
    [Trait("Category", "Crash")]
    public async Task GivenAServerThatCommitsAsynchronously_WhenItIsKilledRightAfterAcknowledgingAppends_ThenEveryAcknowledgedAppendSurvives()
    {
        // Asynchronous commits reach the WAL file only when the WAL writer wakes, at most every 10 s here: appends
        // acknowledged just before the kill would be lost unless each commit waits for its WAL flush.
        // A server of its own, not the shared one: the test kills it and starts it again.
        await using var server = await PostgresServer.StartCrashableAsync(new Dictionary<string, string>
        {
            ["synchronous_commit"] = "off",
            ["wal_writer_delay"] = "10s",
            ["checkpoint_timeout"] = "1h",
        });
        var database = await server.CreateDatabaseAsync("crash");
        var options = new PostgresEventStoreOptions { Schema = PostgresFixture.NewSchemaName() };
        var acknowledged = new List<Guid>();
        await using (var store = PostgresEventStore.Create(database, options))
        {
            await store.InitializeAsync();
            // The schema is on disk before the appends begin, so only the appends are at stake.
            await using (var checkpoint = store.DataSource.CreateCommand("checkpoint"))
                await checkpoint.ExecuteNonQueryAsync();
            for (var i = 0; i < 200; i++)
            {
                var batch = TestEvents.Batch(1 + i % 3);
                await store.AppendAsync("crash-" + i % 5, ExpectedVersion.Any, batch);
                acknowledged.AddRange(batch.Select(e => e.EventId));
            }

            await server.CrashAsync();
        }

        await server.RestartAsync();
        await using var reopened = PostgresEventStore.Create(database, options);
        await reopened.InitializeAsync();
        var stored = (await TestEvents.ReadWholeLogAsync(reopened)).Select(e => e.EventId).ToHashSet();
        var lost = acknowledged.Where(id => !stored.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged events were lost in the crash.");
    }

    [Fact]
    public async Task GivenOneCallerTransactionThatAppendedTwiceToAStream_WhenResent_ThenEachAppendReplaysAloneAndTheirUnionConflicts()
    {
        await using var store = await postgres.CreateStoreAsync();
        var stream = TestEvents.NewStream();
        var first = TestEvents.Batch(2);
        var second = TestEvents.Batch(3);
        await using (var connection = await store.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await store.AppendAsync(transaction, stream, ExpectedVersion.NoStream, first);
            await store.AppendAsync(transaction, stream, ExpectedVersion.Exact(1), second);
            await transaction.CommitAsync();
        }

        Assert.Equal(1, (await store.AppendAsync(stream, ExpectedVersion.Any, first)).NextExpectedVersion);
        Assert.Equal(4, (await store.AppendAsync(stream, ExpectedVersion.Any, second)).NextExpectedVersion);
        await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync(stream, ExpectedVersion.Any, [.. first, .. second]));
        Assert.Equal(5, (await TestEvents.ReadWholeLogAsync(store)).Count);
    }

    [Fact]
    public async Task GivenEventsRestoredUnderARunningStore_WhenAppending_ThenAppendsAreRefusedUntilItIsInitialisedAgain_AndThenComeAfterThem()
    {
        // The dump comes from a store whose transaction clock runs far ahead of this server's (a busier cluster).
        await using var source = await postgres.CreateStoreAsync();
        await ExecuteAsync(source, $"update {source.Schema}.log_clock set tx_offset = 1000000000");
        var restoredStream = TestEvents.NewStream();
        await source.AppendAsync(restoredStream, ExpectedVersion.NoStream, TestEvents.Batch(3));

        await using var store = await postgres.CreateStoreAsync();
        var before = await store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, TestEvents.Batch(1));
        // What pg_restore of the events table does while the store runs: the rows are copied in as they were.
        await ExecuteAsync(store, $"insert into {store.Schema}.events select * from {source.Schema}.events");

        var fresh = TestEvents.NewStream();
        await Assert.ThrowsAsync<LogClockBehindException>(() => store.AppendAsync(fresh, ExpectedVersion.NoStream, TestEvents.Batch(1)));
        await Assert.ThrowsAsync<LogClockBehindException>(
            () => store.AppendAsync(restoredStream, ExpectedVersion.Exact(2), TestEvents.Batch(1)));
        await using (var connection = await store.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Assert.ThrowsAsync<LogClockBehindException>(
                () => store.AppendAsync(transaction, fresh, ExpectedVersion.NoStream, TestEvents.Batch(1)));
        }

        Assert.False((await store.GetStreamStateAsync(fresh)).Exists);

        await store.InitializeAsync();
        var after = await store.AppendAsync(fresh, ExpectedVersion.NoStream, TestEvents.Batch(1));
        var continued = await store.AppendAsync(restoredStream, ExpectedVersion.Exact(2), TestEvents.Batch(1));

        var log = await TestEvents.ReadWholeLogAsync(store);
        Assert.Equal(6, log.Count);
        Assert.Equal(before.LastLogPosition, log[0].LogPosition);
        Assert.All(log.Skip(1).Take(3), e => Assert.Equal(restoredStream, e.StreamId));
        Assert.Equal([after.LastLogPosition, continued.LastLogPosition], log.Skip(4).Select(e => e.LogPosition));
    }

    private static bool IsWaitingForALock(PostgresEventStore store, int processId)
    {
        using var command = store.DataSource.CreateCommand("select count(*) from pg_locks where pid = $1 and not granted");
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = processId });
        return (long)command.ExecuteScalar()! > 0;
    }

    private static async Task ExecuteAsync(PostgresEventStore store, string sql)
    {
        await using var command = store.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
