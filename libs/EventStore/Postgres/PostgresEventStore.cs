using Npgsql;
using NpgsqlTypes;

namespace Chronicle.EventStore.Postgres;

public sealed record PostgresEventStoreOptions : EventStoreOptions
{
    /// <summary>The schema holding the store's tables; one schema per store.</summary>
    public string Schema { get; init; } = "chronicle";
}

/// <summary>
/// The production backend. Every append is one round trip: a call of the append_events function,
/// which locks the stream, checks idempotency and the expected version, then inserts the batch.
/// Global-log reads stop below the oldest running transaction, which is why they never skip
/// (the full argument is on PostgresSchema.AppendFunction).
/// </summary>
public sealed class PostgresEventStore : IEventStore
{
    private const string Columns = "stream_id, stream_version, position, tx_id, event_id, event_type, data, metadata, recorded_at";
    private const string UniqueViolation = "23505";
    private const string EventIdIndex = "events_event_id_uk";
    private const string StreamVersionIndex = "events_stream_version_uk";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly PostgresEventStoreOptions _options;
    private readonly AppendSignal _appended = new();
    private readonly string _appendSql;
    private readonly string _readAllSql;
    private readonly string _countAfterSql;
    private readonly string _streamStateSql;
    private readonly string _schema;

    public PostgresEventStore(NpgsqlDataSource dataSource, PostgresEventStoreOptions? options = null)
        : this(dataSource, options, ownsDataSource: false)
    {
    }

    private PostgresEventStore(NpgsqlDataSource dataSource, PostgresEventStoreOptions? options, bool ownsDataSource)
    {
        _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));
        _ownsDataSource = ownsDataSource;
        _options = options ?? new PostgresEventStoreOptions();
        var s = _schema = PostgresSchema.ValidateSchemaName(_options.Schema);
        _appendSql = $"select status, stream_version, tx, positions, conflict_id from {s}.append_events($1, $2, $3, $4, $5, $6)";
        _readAllSql = $"""
            select {Columns} from {s}.events
             where (tx_id, position) > ($1, $2)
               and tx_id < (select pg_snapshot_xmin(pg_current_snapshot())::text::bigint + c.tx_offset from {s}.log_clock c)
             order by tx_id, position
             limit $3
            """;
        _countAfterSql = $"select count(*) from {s}.events where (tx_id, position) > ($1, $2)";
        _streamStateSql = $"select stream_version from {s}.events where stream_id = $1 order by stream_version desc limit 1";
    }

    /// <summary>Creates a store that owns its own connection pool (with statement auto-preparation on).</summary>
    public static PostgresEventStore Create(string connectionString, PostgresEventStoreOptions? options = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
            builder.MaxAutoPrepare = 32;
        return new PostgresEventStore(NpgsqlDataSource.Create(builder), options, ownsDataSource: true);
    }

    private const string Backend = "postgresql";

    public NpgsqlDataSource DataSource => _dataSource;

    public string Schema => _schema;

    public Task InitializeAsync(CancellationToken cancellationToken = default) =>
        PostgresSchema.MigrateAsync(_dataSource, _schema, cancellationToken);

    public async Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events,
        CancellationToken cancellationToken = default)
    {
        using var telemetry = EventStoreTelemetry.StartAppend(Backend, streamId, events?.Count ?? 0);
        var request = AppendRequest.Create(streamId, expectedVersion, events!);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        AppendResult result;
        try
        {
            result = await AppendCoreAsync(connection, null, request, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == UniqueViolation)
        {
            // A concurrent append of the same event ids to another stream won the unique index. Running the
            // function again now sees the stored ids and answers as a replay or a conflict.
            try
            {
                result = await AppendCoreAsync(connection, null, request, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException again) when (IsStoreIndexViolation(again))
            {
                throw await ToTypedErrorAsync(again, request, cancellationToken).ConfigureAwait(false);
            }
        }

        _appended.Pulse();
        telemetry.Succeeded();
        return result;
    }

    /// <summary>
    /// Appends inside the caller's transaction, so events and other rows (an inbox entry, say) commit together.
    /// Append before any other write in that transaction; otherwise the append may be refused with
    /// <see cref="AppendOrderConflictException"/>. The global log holds back readers until the transaction ends,
    /// so keep it short. The transaction's commit is made synchronous (durable), as the events need.
    /// <para>
    /// A concurrent writer can win a unique index the append needed: another transaction storing the same event id
    /// in another stream (<see cref="EventIdConflictException"/>), or, in a repeatable-read or serializable
    /// transaction whose snapshot predates another writer's append to the stream, that stream version
    /// (<see cref="WrongExpectedVersionException"/> with the actual version). The database has then aborted the
    /// caller's transaction: roll it back, and retry in a new one where that makes sense.
    /// </para>
    /// </summary>
    public async Task<AppendResult> AppendAsync(NpgsqlTransaction transaction, string streamId, ExpectedVersion expectedVersion,
        IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        using var telemetry = EventStoreTelemetry.StartAppend(Backend, streamId, events?.Count ?? 0);
        var request = AppendRequest.Create(streamId, expectedVersion, events!);
        try
        {
            var result = await AppendCoreAsync(transaction.Connection!, transaction, request, cancellationToken).ConfigureAwait(false);
            telemetry.Succeeded();
            return result;
        }
        catch (PostgresException e) when (IsStoreIndexViolation(e))
        {
            throw await ToTypedErrorAsync(e, request, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsStoreIndexViolation(PostgresException e) =>
        e.SqlState == UniqueViolation && e.ConstraintName is EventIdIndex or StreamVersionIndex;

    /// <summary>
    /// The typed error for a unique index another writer won. Its transaction has committed (the index waits for it), so
    /// a fresh connection sees what it stored; the failed transaction itself can run nothing more.
    /// </summary>
    private async Task<EventStoreException> ToTypedErrorAsync(PostgresException violation, AppendRequest request,
        CancellationToken cancellationToken)
    {
        if (violation.ConstraintName == StreamVersionIndex)
        {
            var state = await GetStreamStateAsync(request.StreamId, cancellationToken).ConfigureAwait(false);
            return new WrongExpectedVersionException(request.StreamId, request.Expected, state.Version);
        }

        await using var command = _dataSource.CreateCommand(
            $"select event_id from {_schema}.events where event_id = any($1) order by array_position($1, event_id) limit 1");
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = request.EventIds });
        var stored = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return new EventIdConflictException(stored as Guid? ?? request.EventIds[0],
            "another transaction stored it at the same time, in another stream");
    }

    private async Task<AppendResult> AppendCoreAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        AppendRequest request, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_appendSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = request.StreamId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = request.Expected.Value });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = request.EventIds });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = request.EventTypes });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = request.Data, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = request.Metadata, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            throw new InvalidOperationException("append_events returned no row.");
        var status = reader.GetInt32(0);
        return status switch
        {
            0 or 1 => new AppendResult(reader.GetInt64(1), reader.GetInt64(2), reader.GetFieldValue<long[]>(3)),
            2 => throw new WrongExpectedVersionException(request.StreamId, request.Expected, reader.GetInt64(1)),
            3 => throw new EventIdConflictException(reader.GetGuid(4),
                "re-sent events must match the stored ones exactly, in the same stream and order, and be the whole of one stored append"),
            4 => throw new AppendOrderConflictException(request.StreamId),
            5 => throw new LogClockBehindException(request.StreamId),
            _ => throw new InvalidOperationException($"append_events returned unknown status {status}."),
        };
    }

    public async Task<StreamState> GetStreamStateAsync(string streamId, CancellationToken cancellationToken = default)
    {
        EventStoreLimits.ValidateRead(streamId, StreamReadOptions.Forwards);
        await using var command = _dataSource.CreateCommand(_streamStateSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        var version = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return version is long v ? new StreamState(true, v) : StreamState.NoStream;
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string streamId, StreamReadOptions options,
        CancellationToken cancellationToken = default)
    {
        EventStoreLimits.ValidateRead(streamId, options);
        var forward = options.Direction == ReadDirection.Forward;
        var sql = $"""
            select {Columns} from {_schema}.events
             where stream_id = $1 and stream_version {(forward ? ">=" : "<=")} $2
               and ($4::bigint is null or (tx_id, position) <= ($4, $5))
               and ($6::timestamptz is null or recorded_at <= $6)
             order by stream_version {(forward ? "asc" : "desc")}
             limit $3
            """;
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = options.FromVersion ?? (forward ? 0 : long.MaxValue) });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.MaxCount });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)options.AsOf?.Transaction ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)options.AsOf?.Position ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)options.AsOfTime?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(LogPosition after, int maxCount, CancellationToken cancellationToken = default)
    {
        EventStoreLimits.ValidateCount(maxCount);
        await using var command = _dataSource.CreateCommand(_readAllSql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Transaction });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Position });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
        return await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> CountEventsAfterAsync(LogPosition after, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand(_countAfterSql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Transaction });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after.Position });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public Task WaitForAppendAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _appended.WaitAsync(timeout, cancellationToken);

    private async Task<IReadOnlyList<RecordedEvent>> ReadEventsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var events = new List<RecordedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var recorded = RecordedEvent.FromStorage(
                streamId: reader.GetString(0),
                streamVersion: reader.GetInt64(1),
                position: reader.GetInt64(2),
                transaction: reader.GetInt64(3),
                eventId: reader.GetGuid(4),
                eventType: reader.GetString(5),
                data: reader.GetFieldValue<byte[]>(6),
                metadataJson: reader.GetFieldValue<byte[]>(7),
                recordedAt: reader.GetFieldValue<DateTimeOffset>(8));
            events.Add(Upcasting.Apply(_options.Upcasters, recorded));
        }

        return events;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource)
            await _dataSource.DisposeAsync().ConfigureAwait(false);
    }
}
