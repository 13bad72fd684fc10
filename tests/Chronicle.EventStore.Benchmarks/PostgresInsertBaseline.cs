using Npgsql;
using NpgsqlTypes;

namespace Chronicle.EventStore.Benchmarks;

/// <summary>
/// Raw Npgsql into a plain table: one autocommitted INSERT per append (multi-row via unnest for batches),
/// a pooled connection per append as the store does, and the same auto-preparation the store enables.
/// </summary>
internal sealed class PostgresInsertBaseline : IAppendTarget
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly SamplePayload _payload;
    private readonly string _table;

    private PostgresInsertBaseline(NpgsqlDataSource dataSource, SamplePayload payload, string table)
    {
        _dataSource = dataSource;
        _payload = payload;
        _table = table;
    }

    public static async Task<PostgresInsertBaseline> CreateAsync(string connectionString, string schema, SamplePayload payload)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 32 };
        var dataSource = NpgsqlDataSource.Create(builder);
        var table = $"{schema}.events";
        await using var create = dataSource.CreateCommand($"""
            create schema {schema};
            create table {table} (
                id        bigserial primary key,
                stream_id text  not null,
                data      bytea not null,
                metadata  bytea not null
            );
            """);
        await create.ExecuteNonQueryAsync();
        return new PostgresInsertBaseline(dataSource, payload, table);
    }

    public IAppendWriter CreateWriter(int writerIndex, int eventsPerAppend) =>
        new InsertWriter(this, $"patient-{writerIndex:D4}", eventsPerAppend);

    public async Task<long> ReadWholeLogAsync(int pageSize, CancellationToken cancellationToken)
    {
        long read = 0, after = 0;
        var sql = $"select id, stream_id, data, metadata from {_table} where id > $1 order by id limit $2";
        while (true)
        {
            await using var command = _dataSource.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pageSize });
            var page = new List<RawRow>(pageSize);
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                    page.Add(new RawRow(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2), reader.GetFieldValue<byte[]>(3)));
            }

            if (page.Count == 0)
                return read;
            read += page.Count;
            after = page[^1].Id;
        }
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private sealed class InsertWriter : IAppendWriter
    {
        private readonly PostgresInsertBaseline _baseline;
        private readonly string _streamId;
        private readonly byte[][] _data;
        private readonly byte[][] _metadata;
        private readonly string _sql;

        public InsertWriter(PostgresInsertBaseline baseline, string streamId, int eventsPerAppend)
        {
            _baseline = baseline;
            _streamId = streamId;
            _data = Enumerable.Repeat(baseline._payload.Data, eventsPerAppend).ToArray();
            _metadata = Enumerable.Repeat(baseline._payload.MetadataBytes, eventsPerAppend).ToArray();
            _sql = eventsPerAppend == 1
                ? $"insert into {baseline._table} (stream_id, data, metadata) values ($1, $2, $3)"
                : $"insert into {baseline._table} (stream_id, data, metadata) select $1, d, m from unnest($2::bytea[], $3::bytea[]) as u(d, m)";
        }

        public async Task AppendAsync(CancellationToken cancellationToken)
        {
            await using var connection = await _baseline._dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand(_sql, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _streamId });
            if (_data.Length == 1)
            {
                command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = _data[0] });
                command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = _metadata[0] });
            }
            else
            {
                command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = _data, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
                command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = _metadata, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
