using Chronicle.EventStore.Sqlite;
using Microsoft.Data.Sqlite;

namespace Chronicle.EventStore.Tests;

/// <summary>
/// The SQLite backend's group commit and schema migration. To make a group form deterministically, a second
/// connection holds SQLite's write lock: the first append then waits inside BEGIN IMMEDIATE while the others
/// queue behind it, and whoever commits next takes every queued request into one transaction.
/// </summary>
public sealed class SqliteWriterTests : IDisposable
{
    private readonly SqliteFiles _files = new();

    [Fact]
    public async Task GivenQueuedAppendsWithFailuresAmongThem_WhenWritten_ThenEachFailsAloneAndNoPositionIsBurned()
    {
        var path = _files.NewPath();
        await using var store = await _files.CreateStoreAsync(path);
        var existing = TestEvents.NewStream();
        await store.AppendAsync(existing, ExpectedVersion.NoStream, TestEvents.Batch(2));
        var storedEvent = TestEvents.Event();
        await store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [storedEvent]);

        var resentBatch = TestEvents.Batch(3);
        var resentStream = TestEvents.NewStream();
        var good = Enumerable.Range(0, 6).Select(_ => (Stream: TestEvents.NewStream(), Events: TestEvents.Batch(2))).ToList();

        Task<AppendResult> first, resendA, resendB, wrongVersion, idConflict;
        List<Task<AppendResult>> goodAppends;
        await using (var blocker = await HoldWriteLockAsync(path))
        {
            first = Task.Run(() => store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, TestEvents.Batch(1)));
            await WaitUntilBlockedAsync(first);
            goodAppends = good.Take(3).Select(g => store.AppendAsync(g.Stream, ExpectedVersion.NoStream, g.Events)).ToList();
            resendA = store.AppendAsync(resentStream, ExpectedVersion.NoStream, resentBatch);
            wrongVersion = store.AppendAsync(existing, ExpectedVersion.Exact(0), TestEvents.Batch(4));
            resendB = store.AppendAsync(resentStream, ExpectedVersion.NoStream, resentBatch);
            idConflict = store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.Any,
                [storedEvent with { Data = "{\"changed\":true}"u8.ToArray() }]);
            goodAppends.AddRange(good.Skip(3).Select(g => store.AppendAsync(g.Stream, ExpectedVersion.NoStream, g.Events)));
            Assert.All(goodAppends, t => Assert.False(t.IsCompleted));
            await blocker.CommitAsync();
        }

        await first;
        var resultA = await resendA;
        var resultB = await resendB;
        Assert.Equal(resultA.Positions, resultB.Positions);
        Assert.Equal(resultA.Transaction, resultB.Transaction);
        var wrong = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => wrongVersion);
        Assert.Equal(1, wrong.ActualVersion);
        await Assert.ThrowsAsync<EventIdConflictException>(() => idConflict);
        foreach (var (append, (stream, events)) in goodAppends.Zip(good))
        {
            var result = await append;
            var read = await store.ReadStreamAsync(stream, StreamReadOptions.Forwards);
            Assert.Equal(events.Select(e => e.EventId), read.Select(e => e.EventId));
            Assert.Equal(result.Positions, read.Select(e => e.Position));
        }

        // Every position from 1 is taken exactly once: failed requests gave theirs back.
        var log = await TestEvents.ReadWholeLogAsync(store);
        Assert.Equal(Enumerable.Range(1, log.Count).Select(i => (long)i), log.Select(e => e.Position));
        Assert.Equal(2 + 1 + 1 + 3 + good.Count * 2, log.Count);
        Assert.Equal(2, (await store.GetStreamStateAsync(existing)).Version + 1);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(70)]
    [InlineData(10_000)]
    public async Task GivenABatchSpanningInsertChunks_WhenAppended_ThenEveryEventIsStoredInOrderWithItsOwnValues(int count)
    {
        await using var store = await _files.CreateStoreAsync();
        var stream = TestEvents.NewStream();
        await store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Batch(3));
        var batch = TestEvents.Batch(count);

        var result = await store.AppendAsync(stream, ExpectedVersion.Exact(2), batch);

        var read = new List<RecordedEvent>();
        while (read.Count < count)
            read.AddRange(await store.ReadStreamAsync(stream, new StreamReadOptions { FromVersion = 3 + read.Count, MaxCount = 1000 }));
        Assert.Equal(batch.Select(e => e.EventId), read.Select(e => e.EventId));
        Assert.Equal(batch.Select(e => System.Text.Encoding.UTF8.GetString(e.Data)), read.Select(e => System.Text.Encoding.UTF8.GetString(e.Data)));
        Assert.Equal(Enumerable.Range(3, count).Select(v => (long)v), read.Select(e => e.StreamVersion));
        Assert.Equal(result.Positions, read.Select(e => e.Position));
        Assert.Equal(Enumerable.Range(4, count).Select(p => (long)p), result.Positions);
        Assert.All(read, e => Assert.Equal(4, e.Transaction));
        Assert.Equal(2 + count, result.NextExpectedVersion);
    }

    [Fact]
    public async Task GivenAQueuedAppend_WhenCancelled_ThenItIsEitherStoredAndAnsweredOrNotStoredAtAll()
    {
        var path = _files.NewPath();
        await using var store = await _files.CreateStoreAsync(path);
        var cancelledStream = TestEvents.NewStream();
        Task<AppendResult> first, cancelled;
        // Lives until the append it cancels has been answered: a token source disposed while an append still holds its
        // token is the caller's mistake, and made the append fail with ObjectDisposedException instead.
        using var cancellation = new CancellationTokenSource();
        await using (var blocker = await HoldWriteLockAsync(path))
        {
            first = Task.Run(() => store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, TestEvents.Batch(1)));
            await WaitUntilBlockedAsync(first);
            // On its own thread too: should it take the write lock itself (the first append not started yet on a busy
            // machine), it blocks in SQLite, and this thread must still be free to release the lock.
            cancelled = Task.Run(() => store.AppendAsync(cancelledStream, ExpectedVersion.NoStream, TestEvents.Batch(2), cancellation.Token));
            await cancellation.CancelAsync();
            // Usually the first append has taken its group by now and the cancelled one is still queued. On a busy machine
            // it may already be in a group (the first's, or its own), and then it is answered once the lock is released.
            if (await Task.WhenAny(cancelled, Task.Delay(TimeSpan.FromSeconds(1))) == cancelled)
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
            await blocker.CommitAsync();
        }

        await first;
        if (await Record.ExceptionAsync(() => cancelled) is { } refused)
        {
            Assert.IsAssignableFrom<OperationCanceledException>(refused);
            Assert.False((await store.GetStreamStateAsync(cancelledStream)).Exists);
            var after = await store.AppendAsync(cancelledStream, ExpectedVersion.NoStream, TestEvents.Batch(1));
            Assert.Equal([2L], after.Positions);
        }
        else
        {
            // Taken before it could be cancelled: stored whole, beside the first append, and answered.
            Assert.Equal(2, (await cancelled).Positions.Count);
            Assert.Equal(1, (await store.GetStreamStateAsync(cancelledStream)).Version);
            Assert.Equal(3, (await TestEvents.ReadWholeLogAsync(store)).Count);
        }
    }

    [Fact]
    public async Task GivenAVersionOneFile_WhenOpened_ThenTextEventIdsBecomeBytesAndEveryEventIsKept()
    {
        var path = _files.NewPath();
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                create table schema_migrations (version integer primary key, description text not null, applied_at text not null);
                insert into schema_migrations values (1, 'events table', '2026-11-01T00:00:00Z');
                create table events (
                    position integer primary key, tx_id integer not null, stream_id text not null, stream_version integer not null,
                    event_id text not null, event_type text not null, data blob not null, metadata blob not null, recorded_at integer not null,
                    constraint events_stream_version_uk unique (stream_id, stream_version),
                    constraint events_event_id_uk unique (event_id));
                insert into events values
                    (1, 1, 'patient-a', 0, '{ids[0]}', 'V1.Probe', cast('{"{"}"n":1{"}"}' as blob), cast('{"{}"}' as blob), 1000),
                    (2, 1, 'patient-a', 1, '{ids[1]}', 'V1.Probe', cast('{"{"}"n":2{"}"}' as blob), cast('{"{}"}' as blob), 1000),
                    (3, 3, 'patient-b', 0, '{ids[2]}', 'V1.Probe', cast('{"{"}"n":3{"}"}' as blob), cast('{"{}"}' as blob), 2000);
                """;
            await command.ExecuteNonQueryAsync();
        }

        await using var store = await _files.CreateStoreAsync(path);
        var log = await TestEvents.ReadWholeLogAsync(store);
        Assert.Equal(ids, log.Select(e => e.EventId));
        Assert.Equal([1L, 1, 3], log.Select(e => e.Transaction));
        Assert.Equal("{\"n\":3}", System.Text.Encoding.UTF8.GetString(log[2].Data));

        // The migrated ids still enforce idempotency and uniqueness.
        await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync("patient-c", ExpectedVersion.NoStream,
            [new EventData(ids[0], "V1.Probe", "{\"n\":9}"u8.ToArray(), TestEvents.Metadata)]));
        var next = await store.AppendAsync("patient-b", ExpectedVersion.Exact(0), TestEvents.Batch(1));
        Assert.Equal([4L], next.Positions);
    }

    /// <summary>Another connection's BEGIN IMMEDIATE: the store's writer waits for it, as for another process.</summary>
    private static async Task<WriteLockHolder> HoldWriteLockAsync(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        var transaction = connection.BeginTransaction(deferred: false);
        return new WriteLockHolder(connection, transaction);
    }

    /// <summary>
    /// The first append runs on its own thread (SQLite calls block) and cannot finish while the lock is held; give it
    /// time to take its group and block. Were it slower than that, the later appends would join its group instead,
    /// which the assertions accept too: they hold for any grouping.
    /// </summary>
    private static async Task WaitUntilBlockedAsync(Task append)
    {
        await Task.Delay(200);
        Assert.False(append.IsCompleted);
    }

    private sealed class WriteLockHolder(SqliteConnection connection, SqliteTransaction transaction) : IAsyncDisposable
    {
        public Task CommitAsync() => transaction.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    public void Dispose() => _files.Dispose();
}
