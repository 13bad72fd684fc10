using Microsoft.Data.Sqlite;

namespace Chronicle.EventStore.Sqlite;

public sealed record SqliteEventStoreOptions : EventStoreOptions;

/// <summary>
/// The embedded backend: one SQLite file in WAL mode with synchronous=FULL, so an acknowledged append
/// survives a process crash and a power cut. SQLite admits one writer at a time (BEGIN IMMEDIATE, also
/// across processes), so commit order is position order and the global log is simply ordered by position;
/// the transaction number of an append is its first position. Concurrent appends share commits through
/// <see cref="SqliteAppendWriter"/> (group commit, each append under its own savepoint). Readers use their
/// own pooled connections and never block the writer.
/// </summary>
public sealed class SqliteEventStore : IEventStore
{
    private const string Columns = "stream_id, stream_version, position, tx_id, event_id, event_type, data, metadata, recorded_at";

    private readonly string _connectionString;
    private readonly SqliteEventStoreOptions _options;
    private readonly SemaphoreSlim _initialising = new(1, 1);
    private readonly AppendSignal _appended = new();
    private SqliteAppendWriter? _writer;

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
        await _initialising.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writer is not null)
            {
                await _writer.ExclusiveAsync(async connection =>
                {
                    await SqliteSchema.MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
                    return true;
                }, cancellationToken).ConfigureAwait(false);
                return;
            }

            var connection = new SqliteConnection(_connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await SqliteSchema.ConfigureWriterAsync(connection, cancellationToken).ConfigureAwait(false);
                await SqliteSchema.MigrateAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _writer = new SqliteAppendWriter(connection);
        }
        finally
        {
            _initialising.Release();
        }
    }

    public async Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events,
        CancellationToken cancellationToken = default)
    {
        using var telemetry = EventStoreTelemetry.StartAppend("sqlite", streamId, events?.Count ?? 0);
        var request = AppendRequest.Create(streamId, expectedVersion, events!);
        var writer = Volatile.Read(ref _writer) ?? throw new InvalidOperationException("Call InitializeAsync before appending.");
        var result = await writer.AppendAsync(request, cancellationToken).ConfigureAwait(false);
        _appended.Pulse();
        telemetry.Succeeded();
        return result;
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
        command.Parameters.AddWithValue("$asOfTime", options.AsOfTime is { } t ? SqliteTime.ToUnixMicroseconds(t) : DBNull.Value);
        command.Parameters.AddWithValue("$count", options.MaxCount);
        return ReadEvents(command, cancellationToken);
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(LogPosition after, int maxCount, CancellationToken cancellationToken = default)
    {
        EventStoreLimits.ValidateCount(maxCount);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"select {Columns} from events where position > $after order by position limit $count";
        command.Parameters.AddWithValue("$after", after.Position);
        command.Parameters.AddWithValue("$count", maxCount);
        return ReadEvents(command, cancellationToken);
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

    /// <summary>Microsoft.Data.Sqlite reads synchronously whatever the API; the async wrappers only add cost per row.</summary>
    private IReadOnlyList<RecordedEvent> ReadEvents(SqliteCommand command, CancellationToken cancellationToken)
    {
        var events = new List<RecordedEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var recorded = RecordedEvent.FromStorage(
                streamId: reader.GetString(0),
                streamVersion: reader.GetInt64(1),
                position: reader.GetInt64(2),
                transaction: reader.GetInt64(3),
                eventId: SqliteEventIds.FromBytes((byte[])reader[4]),
                eventType: reader.GetString(5),
                data: (byte[])reader[6],
                metadataJson: (byte[])reader[7],
                recordedAt: SqliteTime.FromUnixMicroseconds(reader.GetInt64(8)));
            events.Add(Upcasting.Apply(_options.Upcasters, recorded));
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        await _initialising.WaitAsync().ConfigureAwait(false);
        try
        {
            _writer?.Dispose();
            _writer = null;
        }
        finally
        {
            _initialising.Release();
        }

        await using (var connection = new SqliteConnection(_connectionString))
            SqliteConnection.ClearPool(connection);
    }
}
