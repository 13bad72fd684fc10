using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Chronicle.EventStore.Sqlite;

public sealed record SqliteEventStoreOptions : EventStoreOptions;

/// <summary>
/// The embedded backend: one SQLite file in WAL mode with synchronous=FULL, so an acknowledged append
/// survives a process crash and a power cut. SQLite admits one writer at a time (BEGIN IMMEDIATE, also
/// across processes), so commit order is position order and the global log is simply ordered by position;
/// the transaction number of a batch is its first position. Readers use their own pooled connections and
/// never block the writer.
/// </summary>
public sealed class SqliteEventStore : IEventStore
{
    private const string Columns = "stream_id, stream_version, position, tx_id, event_id, event_type, data, metadata, recorded_at";

    private readonly string _connectionString;
    private readonly SqliteEventStoreOptions _options;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly AppendSignal _appended = new();
    private SqliteConnection? _writer;

    public SqliteEventStore(string connectionString, SqliteEventStoreOptions? options = null)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, DefaultTimeout = 30 };
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:")
            throw new ArgumentException("The SQLite event store needs a file: durability is its point.", nameof(connectionString));
        _connectionString = builder.ToString();
        _options = options ?? new SqliteEventStoreOptions();
    }

    public static SqliteEventStore ForFile(string path, SqliteEventStoreOptions? options = null) =>
        new(new SqliteConnectionStringBuilder { DataSource = path }.ToString(), options);

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writer is null)
            {
                var writer = new SqliteConnection(_connectionString);
                await writer.OpenAsync(cancellationToken).ConfigureAwait(false);
                await SqliteSchema.ConfigureWriterAsync(writer, cancellationToken).ConfigureAwait(false);
                _writer = writer;
            }

            await SqliteSchema.MigrateAsync(_writer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events,
        CancellationToken cancellationToken = default)
    {
        var request = AppendRequest.Create(streamId, expectedVersion, events);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var writer = _writer ?? throw new InvalidOperationException("Call InitializeAsync before appending.");
            using var transaction = writer.BeginTransaction(deferred: false);
            var result = ReplayOfStoredBatch(writer, transaction, request) ?? Insert(writer, transaction, request);
            transaction.Commit();
            _appended.Pulse();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The original result when every event of the request is already stored, as it was sent; null when none is.</summary>
    private static AppendResult? ReplayOfStoredBatch(SqliteConnection writer, SqliteTransaction transaction, AppendRequest request)
    {
        using var lookup = writer.CreateCommand();
        lookup.Transaction = transaction;
        lookup.CommandText = "select stream_id, stream_version, position, tx_id, event_type, data, metadata from events where event_id = $id";
        var id = lookup.Parameters.Add("$id", SqliteType.Text);

        var positions = new long[request.Count];
        long firstVersion = -1, lastVersion = -1, tx = -1;
        var found = 0;
        Guid? conflict = null;
        for (var i = 0; i < request.Count; i++)
        {
            id.Value = request.EventIds[i].ToString("D");
            using var reader = lookup.ExecuteReader();
            if (!reader.Read())
            {
                conflict ??= found > 0 ? request.EventIds[i] : null;
                continue;
            }

            var version = reader.GetInt64(1);
            if (found == 0)
                firstVersion = version;
            var matches = found == i
                && reader.GetString(0) == request.StreamId
                && version == firstVersion + i
                && reader.GetString(4) == request.EventTypes[i]
                && ((byte[])reader[5]).AsSpan().SequenceEqual(request.Data[i])
                && ((byte[])reader[6]).AsSpan().SequenceEqual(request.Metadata[i]);
            if (!matches)
                conflict ??= request.EventIds[i];
            found++;
            positions[i] = reader.GetInt64(2);
            tx = reader.GetInt64(3);
            lastVersion = version;
        }

        if (found == 0)
            return null;
        if (conflict is not null || found != request.Count)
            throw new EventIdConflictException(conflict ?? request.EventIds[0],
                "re-sent events must match the stored ones exactly, in the same stream and order");
        return new AppendResult(lastVersion, tx, positions);
    }

    private static AppendResult Insert(SqliteConnection writer, SqliteTransaction transaction, AppendRequest request)
    {
        long current = StreamState.NoStreamVersion, lastRecorded = 0, nextPosition;
        using (var head = writer.CreateCommand())
        {
            head.Transaction = transaction;
            head.CommandText = """
                select stream_version, recorded_at from events where stream_id = $stream order by stream_version desc limit 1;
                select coalesce(max(position), 0) + 1 from events;
                """;
            head.Parameters.AddWithValue("$stream", request.StreamId);
            using var reader = head.ExecuteReader();
            if (reader.Read())
            {
                current = reader.GetInt64(0);
                lastRecorded = reader.GetInt64(1);
            }

            reader.NextResult();
            reader.Read();
            nextPosition = reader.GetInt64(0);
        }

        if (!request.Expected.IsSatisfiedBy(current))
            throw new WrongExpectedVersionException(request.StreamId, request.Expected, current);

        // Recorded times never go backwards within a stream, so an as-of-time read is a prefix.
        var recordedAt = Math.Max(ToUnixMicroseconds(DateTimeOffset.UtcNow), lastRecorded);
        var tx = nextPosition;
        var positions = new long[request.Count];
        using var insert = writer.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            insert into events (position, tx_id, stream_id, stream_version, event_id, event_type, data, metadata, recorded_at)
            values ($position, $tx, $stream, $version, $id, $type, $data, $metadata, $recorded)
            """;
        var position = insert.Parameters.Add("$position", SqliteType.Integer);
        insert.Parameters.AddWithValue("$tx", tx);
        insert.Parameters.AddWithValue("$stream", request.StreamId);
        var version = insert.Parameters.Add("$version", SqliteType.Integer);
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var type = insert.Parameters.Add("$type", SqliteType.Text);
        var data = insert.Parameters.Add("$data", SqliteType.Blob);
        var metadata = insert.Parameters.Add("$metadata", SqliteType.Blob);
        insert.Parameters.AddWithValue("$recorded", recordedAt);
        for (var i = 0; i < request.Count; i++)
        {
            positions[i] = nextPosition + i;
            position.Value = positions[i];
            version.Value = current + 1 + i;
            id.Value = request.EventIds[i].ToString("D");
            type.Value = request.EventTypes[i];
            data.Value = request.Data[i];
            metadata.Value = request.Metadata[i];
            insert.ExecuteNonQuery();
        }

        return new AppendResult(current + request.Count, tx, positions);
    }

    public async Task<StreamState> GetStreamStateAsync(string streamId, CancellationToken cancellationToken = default)
    {
        EventStoreLimits.ValidateRead(streamId, StreamReadOptions.Forwards);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "select max(stream_version) from events where stream_id = $stream";
        command.Parameters.AddWithValue("$stream", streamId);
        var version = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return version is long v ? new StreamState(true, v) : StreamState.NoStream;
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string streamId, StreamReadOptions options,
        CancellationToken cancellationToken = default)
    {
        EventStoreLimits.ValidateRead(streamId, options);
        var forward = options.Direction == ReadDirection.Forward;
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            select {Columns} from events
             where stream_id = $stream and stream_version {(forward ? ">=" : "<=")} $from
               and ($asOfPosition is null or position <= $asOfPosition)
               and ($asOfTime is null or recorded_at <= $asOfTime)
             order by stream_version {(forward ? "asc" : "desc")}
             limit $count
            """;
        command.Parameters.AddWithValue("$stream", streamId);
        command.Parameters.AddWithValue("$from", options.FromVersion ?? (forward ? 0 : long.MaxValue));
        command.Parameters.AddWithValue("$asOfPosition", (object?)options.AsOf?.Position ?? DBNull.Value);
        command.Parameters.AddWithValue("$asOfTime", options.AsOfTime is { } t ? ToUnixMicroseconds(t) : DBNull.Value);
        command.Parameters.AddWithValue("$count", options.MaxCount);
        return await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(LogPosition after, int maxCount, CancellationToken cancellationToken = default)
    {
        EventStoreLimits.ValidateCount(maxCount);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"select {Columns} from events where position > $after order by position limit $count";
        command.Parameters.AddWithValue("$after", after.Position);
        command.Parameters.AddWithValue("$count", maxCount);
        return await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> CountEventsAfterAsync(LogPosition after, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "select count(*) from events where position > $after";
        command.Parameters.AddWithValue("$after", after.Position);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public Task WaitForAppendAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _appended.WaitAsync(timeout, cancellationToken);

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private async Task<IReadOnlyList<RecordedEvent>> ReadEventsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var events = new List<RecordedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var recorded = new RecordedEvent(
                StreamId: reader.GetString(0),
                StreamVersion: reader.GetInt64(1),
                Position: reader.GetInt64(2),
                Transaction: reader.GetInt64(3),
                EventId: Guid.Parse(reader.GetString(4), CultureInfo.InvariantCulture),
                EventType: reader.GetString(5),
                Data: (byte[])reader[6],
                Metadata: MetadataSerializer.Deserialize((byte[])reader[7]),
                RecordedAt: FromUnixMicroseconds(reader.GetInt64(8)));
            events.Add(Upcasting.Apply(_options.Upcasters, recorded));
        }

        return events;
    }

    private static long ToUnixMicroseconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromUnixMicroseconds(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_writer is not null)
                await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }
        finally
        {
            _writeLock.Release();
        }

        await using (var connection = new SqliteConnection(_connectionString))
            SqliteConnection.ClearPool(connection);
    }
}
