using Microsoft.Data.Sqlite;

namespace Chronicle.EventStore.Benchmarks;

/// <summary>
/// Raw Microsoft.Data.Sqlite into a plain table in its own file, WAL + synchronous=FULL, writers serialised
/// like the store's: one writer connection behind a lock. A single event is one autocommitted INSERT;
/// a batch is one BEGIN IMMEDIATE transaction of prepared INSERTs.
/// </summary>
internal sealed class SqliteInsertBaseline : IAppendTarget
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection _writer;
    private readonly SqliteCommand _insert;
    private readonly string _connectionString;
    private readonly SamplePayload _payload;
    private readonly Func<ValueTask> _cleanUp;

    private SqliteInsertBaseline(string connectionString, SqliteConnection writer, SamplePayload payload, Func<ValueTask> cleanUp)
    {
        _connectionString = connectionString;
        _writer = writer;
        _payload = payload;
        _cleanUp = cleanUp;
        _insert = writer.CreateCommand();
        _insert.CommandText = "insert into events (stream_id, data, metadata) values ($stream, $data, $metadata)";
        _insert.Parameters.Add("$stream", SqliteType.Text);
        _insert.Parameters.Add("$data", SqliteType.Blob).Value = payload.Data;
        _insert.Parameters.Add("$metadata", SqliteType.Blob).Value = payload.MetadataBytes;
        _insert.Prepare();
    }

    public static async Task<SqliteInsertBaseline> CreateAsync(string path, SamplePayload payload, Func<ValueTask> cleanUp)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        var writer = new SqliteConnection(connectionString);
        await writer.OpenAsync();
        await using (var setUp = writer.CreateCommand())
        {
            setUp.CommandText = """
                pragma journal_mode = wal;
                pragma synchronous = full;
                create table events (
                    id        integer primary key,
                    stream_id text not null,
                    data      blob not null,
                    metadata  blob not null
                );
                """;
            await setUp.ExecuteNonQueryAsync();
        }

        return new SqliteInsertBaseline(connectionString, writer, payload, cleanUp);
    }

    public IAppendWriter CreateWriter(int writerIndex, int eventsPerAppend) =>
        new InsertWriter(this, $"patient-{writerIndex:D4}", eventsPerAppend);

    public async Task<long> ReadWholeLogAsync(int pageSize, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.CommandText = "select id, stream_id, data, metadata from events where id > $after order by id limit $count";
        var after = select.Parameters.Add("$after", SqliteType.Integer);
        select.Parameters.AddWithValue("$count", pageSize);
        long read = 0, last = 0;
        while (true)
        {
            after.Value = last;
            var page = new List<RawRow>(pageSize);
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                    page.Add(new RawRow(reader.GetInt64(0), reader.GetString(1), (byte[])reader[2], (byte[])reader[3]));
            }

            if (page.Count == 0)
                return read;
            read += page.Count;
            last = page[^1].Id;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _insert.DisposeAsync();
        await _writer.DisposeAsync();
        _writeLock.Dispose();
        await _cleanUp();
    }

    private sealed class InsertWriter(SqliteInsertBaseline baseline, string streamId, int eventsPerAppend) : IAppendWriter
    {
        public async Task AppendAsync(CancellationToken cancellationToken)
        {
            await baseline._writeLock.WaitAsync(cancellationToken);
            try
            {
                var insert = baseline._insert;
                insert.Parameters["$stream"].Value = streamId;
                if (eventsPerAppend == 1)
                {
                    insert.Transaction = null;
                    insert.ExecuteNonQuery();
                    return;
                }

                using var transaction = baseline._writer.BeginTransaction(deferred: false);
                insert.Transaction = transaction;
                for (var i = 0; i < eventsPerAppend; i++)
                    insert.ExecuteNonQuery();
                transaction.Commit();
            }
            finally
            {
                baseline._writeLock.Release();
            }
        }
    }
}
