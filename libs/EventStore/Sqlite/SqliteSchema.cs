using Microsoft.Data.Sqlite;

namespace Chronicle.EventStore.Sqlite;

/// <summary>Creates and migrates the SQLite schema: numbered migrations, applied once, under the write lock.</summary>
internal static class SqliteSchema
{
    private static readonly (int Version, string Description, string Sql)[] Migrations =
    [
        (1, "events table", """
            create table events (
                position       integer primary key,
                tx_id          integer not null,
                stream_id      text    not null,
                stream_version integer not null,
                event_id       text    not null,
                event_type     text    not null,
                data           blob    not null,
                metadata       blob    not null,
                recorded_at    integer not null,
                constraint events_stream_version_uk unique (stream_id, stream_version),
                constraint events_event_id_uk unique (event_id)
            );
            """),
        (2, "event ids as 16 big-endian bytes instead of text", """
            create table events_v2 (
                position       integer primary key,
                tx_id          integer not null,
                stream_id      text    not null,
                stream_version integer not null,
                event_id       blob    not null check (length(event_id) = 16),
                event_type     text    not null,
                data           blob    not null,
                metadata       blob    not null,
                recorded_at    integer not null,
                constraint events_stream_version_uk unique (stream_id, stream_version),
                constraint events_event_id_uk unique (event_id)
            );
            insert into events_v2 (position, tx_id, stream_id, stream_version, event_id, event_type, data, metadata, recorded_at)
                 select position, tx_id, stream_id, stream_version, unhex(replace(event_id, '-', '')), event_type, data, metadata, recorded_at
                   from events order by position;
            drop table events;
            alter table events_v2 rename to events;
            """),
    ];

    /// <summary>
    /// WAL lets readers run beside the writer; FULL makes every commit durable before it is acknowledged. The writer
    /// keeps 64 MiB of pages cached, so the unique indexes (random event ids above all) stay in memory as the log grows.
    /// </summary>
    public static async Task ConfigureWriterAsync(SqliteConnection writer, CancellationToken cancellationToken)
    {
        await using var command = writer.CreateCommand();
        command.CommandText = "pragma journal_mode = wal; pragma synchronous = full; pragma busy_timeout = 30000; pragma cache_size = -65536; pragma temp_store = memory;";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task MigrateAsync(SqliteConnection writer, CancellationToken cancellationToken)
    {
        using var transaction = writer.BeginTransaction(deferred: false);
        await using (var create = writer.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = """
                create table if not exists schema_migrations (
                    version     integer primary key,
                    description text    not null,
                    applied_at  text    not null
                );
                """;
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = new HashSet<long>();
        await using (var select = writer.CreateCommand())
        {
            select.Transaction = transaction;
            select.CommandText = "select version from schema_migrations";
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                applied.Add(reader.GetInt64(0));
        }

        foreach (var (version, description, sql) in Migrations)
        {
            if (applied.Contains(version))
                continue;
            await using var migrate = writer.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = sql + "\ninsert into schema_migrations (version, description, applied_at) values ($v, $d, $t);";
            migrate.Parameters.AddWithValue("$v", version);
            migrate.Parameters.AddWithValue("$d", description);
            migrate.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToString("O"));
            await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        transaction.Commit();
    }
}
