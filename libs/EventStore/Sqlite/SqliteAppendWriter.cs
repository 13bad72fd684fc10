using System.Collections.Concurrent;
using PendingAppend = Chronicle.EventStore.CombinedRequest<Chronicle.EventStore.AppendRequest, Chronicle.EventStore.AppendResult>;
using Microsoft.Data.Sqlite;

namespace Chronicle.EventStore.Sqlite;

/// <summary>
/// The one writer connection of a SQLite store, with group commit.
/// <para>
/// SQLite admits one writer at a time and every durable commit costs a WAL sync, so appends from concurrent
/// callers are combined: each caller queues its request, and whoever holds the write lock takes every queued
/// request (up to <see cref="MaxGroupEvents"/>) into one BEGIN IMMEDIATE transaction. Each request runs under
/// its own savepoint, so a request that fails (wrong expected version, event id conflict) is rolled back
/// alone, burns no position, and cannot affect the others. Requests are applied in queue order, exactly as if
/// they had been committed one by one. No caller is answered before the transaction holding its events has
/// committed, so an acknowledged append is durable; if the commit fails, every request in the group fails
/// and none of them is stored.
/// </para>
/// <para>
/// The happy path costs no idempotency lookup: the event ids are unique in the table, so a re-sent event fails
/// its insert, the request's savepoint is rolled back, and only then are the stored events compared with the
/// request to return the original result or raise a conflict.
/// </para>
/// </summary>
internal sealed class SqliteAppendWriter : IDisposable
{
    /// <summary>A group stops growing at this many events; one request is never split.</summary>
    public const int MaxGroupEvents = 10_000;

    private const int SqliteConstraint = 19;
    private const int InsertChunk = 32;
    private const int SharedInsertParameters = 5;
    private const int RowInsertParameters = 4;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ConcurrentQueue<PendingAppend> _queue = new();
    private readonly SqliteCommand _nextPosition;
    private readonly SqliteCommand _head;
    private readonly SqliteCommand _insertOne;
    private readonly SqliteCommand _insertChunk;
    private readonly SqliteCommand _lookup;
    private readonly SqliteCommand _transactionAt;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackToSavepoint;
    private readonly SqliteCommand[] _commands;
    private bool _disposed;

    public SqliteAppendWriter(SqliteConnection connection)
    {
        _connection = connection;
        _nextPosition = Prepare("select coalesce(max(position), 0) + 1 from events");
        _head = Prepare("select stream_version, recorded_at from events where stream_id = $stream order by stream_version desc limit 1",
            ("$stream", SqliteType.Text));
        _insertOne = PrepareInsert(1);
        _insertChunk = PrepareInsert(InsertChunk);
        _lookup = Prepare("select stream_id, stream_version, position, tx_id, event_type, data, metadata from events where event_id = $id",
            ("$id", SqliteType.Blob));
        _transactionAt = Prepare("select tx_id from events where position = $position", ("$position", SqliteType.Integer));
        _savepoint = Prepare("savepoint append");
        _release = Prepare("release append");
        _rollbackToSavepoint = Prepare("rollback to append");
        _commands = [_nextPosition, _head, _insertOne, _insertChunk, _lookup, _transactionAt, _savepoint, _release, _rollbackToSavepoint];
    }

    public async Task<AppendResult> AppendAsync(AppendRequest request, CancellationToken cancellationToken)
    {
        using var pending = new PendingAppend(request);
        _queue.Enqueue(pending);
        if (!await pending.WaitForLockOrAnswerAsync(_lock, cancellationToken).ConfigureAwait(false))
            return await pending.Outcome.ConfigureAwait(false);

        try
        {
            // Our request is in the queue, so draining it in order reaches it; usually the first group does.
            while (!pending.Outcome.IsCompleted)
                CommitGroup();
        }
        finally
        {
            _lock.Release();
        }

        return await pending.Outcome.ConfigureAwait(false);
    }

    /// <summary>Runs work on the writer connection while no append is in flight (schema migration, disposal).</summary>
    public async Task<T> ExclusiveAsync<T>(Func<SqliteConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return await work(_connection).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    private void CommitGroup()
    {
        var group = TakeGroup();
        if (group.Count == 0)
            return;

        var outcomes = new (AppendResult? Result, Exception? Error)[group.Count];
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _connection.BeginTransaction(deferred: false);
            Enlist(transaction);
            var nextPosition = (long)_nextPosition.ExecuteScalar()!;
            for (var i = 0; i < group.Count; i++)
            {
                _savepoint.ExecuteNonQuery();
                try
                {
                    var (result, inserted) = Apply(group[i].Item, nextPosition);
                    _release.ExecuteNonQuery();
                    if (inserted)
                        nextPosition += result.Positions.Count;
                    outcomes[i] = (result, null);
                }
                catch (EventStoreException error)
                {
                    // Undo this request alone; its positions are handed to the next request, so none is burned.
                    _rollbackToSavepoint.ExecuteNonQuery();
                    _release.ExecuteNonQuery();
                    outcomes[i] = (null, error);
                }
            }

            transaction.Commit();
        }
        catch (Exception failure)
        {
            // Nothing of the group was committed: every request in it fails with the same cause.
            foreach (var pending in group)
                pending.Fail(failure);
            return;
        }

        for (var i = 0; i < group.Count; i++)
        {
            if (outcomes[i].Error is { } error)
                group[i].Fail(error);
            else
                group[i].Succeed(outcomes[i].Result!);
        }
    }

    private List<PendingAppend> TakeGroup()
    {
        var group = new List<PendingAppend>();
        var events = 0;
        while (_queue.TryPeek(out var next))
        {
            if (group.Count > 0 && events + next.Item.Count > MaxGroupEvents)
                break;
            _queue.TryDequeue(out next);
            if (next!.TryTake())
            {
                group.Add(next);
                events += next.Item.Count;
            }
        }

        return group;
    }

    /// <summary>Applies one request inside the group's transaction: the original result for a re-send, else the insert.</summary>
    private (AppendResult Result, bool Inserted) Apply(AppendRequest request, long nextPosition)
    {
        long current = StreamState.NoStreamVersion, lastRecorded = 0;
        _head.Parameters[0].Value = request.StreamId;
        using (var reader = _head.ExecuteReader())
        {
            if (reader.Read())
            {
                current = reader.GetInt64(0);
                lastRecorded = reader.GetInt64(1);
            }
        }

        if (!request.Expected.IsSatisfiedBy(current))
            return (ReplayOfStoredBatch(request) ?? throw new WrongExpectedVersionException(request.StreamId, request.Expected, current), false);

        try
        {
            return (Insert(request, current, lastRecorded, nextPosition), true);
        }
        catch (SqliteException error) when (error.SqliteErrorCode == SqliteConstraint)
        {
            // The only constraint an insert under the write lock can break is the unique event id: a re-send.
            _rollbackToSavepoint.ExecuteNonQuery();
            return (ReplayOfStoredBatch(request) ?? throw new EventIdConflictException(request.EventIds[0], error.Message), false);
        }
    }

    private AppendResult Insert(AppendRequest request, long current, long lastRecorded, long nextPosition)
    {
        // Recorded times never go backwards within a stream, so an as-of-time read is a prefix.
        var recordedAt = Math.Max(SqliteTime.ToUnixMicroseconds(DateTimeOffset.UtcNow), lastRecorded);
        var positions = new long[request.Count];
        for (var k = 0; k < positions.Length; k++)
            positions[k] = nextPosition + k;

        // Rows go in as multi-row INSERTs of InsertChunk rows, one statement per chunk; a short tail row by row.
        void Bind(SqliteCommand insert, int first, int rows)
        {
            var p = insert.Parameters;
            p[0].Value = positions[first];
            p[1].Value = nextPosition;
            p[2].Value = request.StreamId;
            p[3].Value = current + 1 + first;
            p[4].Value = recordedAt;
            for (var row = 0; row < rows; row++)
            {
                var at = SharedInsertParameters + row * RowInsertParameters;
                var i = first + row;
                p[at].Value = SqliteEventIds.ToBytes(request.EventIds[i]);
                p[at + 1].Value = request.EventTypes[i];
                p[at + 2].Value = request.Data[i];
                p[at + 3].Value = request.Metadata[i];
            }
        }

        var next = 0;
        for (; next + InsertChunk <= request.Count; next += InsertChunk)
        {
            Bind(_insertChunk, next, InsertChunk);
            _insertChunk.ExecuteNonQuery();
        }

        for (; next < request.Count; next++)
        {
            Bind(_insertOne, next, 1);
            _insertOne.ExecuteNonQuery();
        }

        return new AppendResult(current + request.Count, nextPosition, positions);
    }

    /// <summary>
    /// The original result when the request is a stored append sent again: the same events, in the same order, in the
    /// same stream, and all of that append, not part of it or a span of two. Null when none of its events is stored.
    /// An append's rows hold consecutive positions from its first, which is also its tx_id, so the stored append is
    /// the rows from position tx_id on that carry that tx_id.
    /// </summary>
    private AppendResult? ReplayOfStoredBatch(AppendRequest request)
    {
        var positions = new long[request.Count];
        long firstVersion = -1, lastVersion = -1, tx = -1;
        var found = 0;
        Guid? conflict = null;
        for (var i = 0; i < request.Count; i++)
        {
            _lookup.Parameters[0].Value = SqliteEventIds.ToBytes(request.EventIds[i]);
            using var reader = _lookup.ExecuteReader();
            if (!reader.Read())
            {
                conflict ??= found > 0 ? request.EventIds[i] : null;
                continue;
            }

            var version = reader.GetInt64(1);
            var position = reader.GetInt64(2);
            if (found == 0)
            {
                firstVersion = version;
                tx = reader.GetInt64(3);
            }

            var matches = found == i
                && reader.GetString(0) == request.StreamId
                && version == firstVersion + i
                && reader.GetInt64(3) == tx
                && position == tx + i
                && reader.GetString(4) == request.EventTypes[i]
                && ((byte[])reader[5]).AsSpan().SequenceEqual(request.Data[i])
                && MetadataSerializer.SameIgnoringTracing((byte[])reader[6], request.Metadata[i]);
            if (!matches)
                conflict ??= request.EventIds[i];
            found++;
            positions[i] = position;
            lastVersion = version;
        }

        if (found == 0)
            return null;
        if (conflict is null && found == request.Count && StoredAppendGoesOnAfter(tx, request.Count))
            conflict = request.EventIds[0];
        if (conflict is not null || found != request.Count)
            throw new EventIdConflictException(conflict ?? request.EventIds[0],
                "re-sent events must match the stored ones exactly, in the same stream and order, and be the whole of one stored append");
        return new AppendResult(lastVersion, tx, positions);
    }

    /// <summary>Whether the append stored from position <paramref name="tx"/> holds more than <paramref name="count"/> events.</summary>
    private bool StoredAppendGoesOnAfter(long tx, int count)
    {
        _transactionAt.Parameters[0].Value = tx + count;
        return _transactionAt.ExecuteScalar() is long next && next == tx;
    }

    /// <summary>
    /// A multi-row INSERT. What every row of an append shares (stream, transaction, recorded time, first position and
    /// version) is bound once per statement; each row binds only its id, type, data and metadata.
    /// </summary>
    private SqliteCommand PrepareInsert(int rows)
    {
        var values = string.Join(",\n", Enumerable.Range(0, rows).Select(r =>
            $"($position + {r}, $tx, $stream, $version + {r}, $id{r}, $type{r}, $data{r}, $metadata{r}, $recorded)"));
        var shared = new[]
        {
            ("$position", SqliteType.Integer), ("$tx", SqliteType.Integer), ("$stream", SqliteType.Text),
            ("$version", SqliteType.Integer), ("$recorded", SqliteType.Integer),
        };
        var perRow = Enumerable.Range(0, rows).SelectMany(r => new[]
        {
            ($"$id{r}", SqliteType.Blob), ($"$type{r}", SqliteType.Text), ($"$data{r}", SqliteType.Blob), ($"$metadata{r}", SqliteType.Blob),
        });
        return Prepare($"""
            insert into events (position, tx_id, stream_id, stream_version, event_id, event_type, data, metadata, recorded_at)
            values {values}
            """, [.. shared, .. perRow]);
    }

    private SqliteCommand Prepare(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
            command.Parameters.Add(name, type);
        return command;
    }

    private void Enlist(SqliteTransaction transaction)
    {
        foreach (var command in _commands)
            command.Transaction = transaction;
    }

    public void Dispose()
    {
        _lock.Wait();
        try
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (var command in _commands)
                command.Dispose();
            _connection.Dispose();
        }
        finally
        {
            _lock.Release();
        }

        // Anything still queued was never taken into a group: it was not written.
        while (_queue.TryDequeue(out var pending))
        {
            if (pending.TryTake())
                pending.Fail(new ObjectDisposedException(nameof(SqliteEventStore)));
        }
    }
}

/// <summary>Event ids are stored as 16 bytes in big-endian (RFC 9562) order, so hex(event_id) reads as the UUID.</summary>
internal static class SqliteEventIds
{
    public static byte[] ToBytes(Guid id) => id.ToByteArray(bigEndian: true);

    public static Guid FromBytes(ReadOnlySpan<byte> bytes) => new(bytes, bigEndian: true);
}

internal static class SqliteTime
{
    public static long ToUnixMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromUnixMicroseconds(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
