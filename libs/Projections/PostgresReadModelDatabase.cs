using System.Data.Common;
using Npgsql;

namespace Chronicle.Projections;

internal sealed class PostgresReadModelDatabase(NpgsqlDataSource dataSource) : ReadModelDatabase
{
    private readonly NpgsqlDataSource _dataSource = dataSource ?? throw new ArgumentNullException(nameof(dataSource));

    public override SqlDialect Dialect => SqlDialect.Postgres;

    private protected override string ListTablesSql => "select tablename from pg_tables where schemaname = current_schema()";

    private protected override string LockRowSuffix => " for update";

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async Task<WriteTransaction> BeginWriteAsync(WriteDurability durability, CancellationToken cancellationToken = default)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var write = new WriteTransaction(connection, transaction, writerSlot: null);
            // Rebuildable: the server does not wait for the WAL flush; a crash of the server can lose the latest such
            // commits, never part of one, and never a commit that is durable. Durable says so too, rather than trusting
            // the server's or the session's default, which may be off.
            await ExecuteAsync(write, durability == WriteDurability.Rebuildable
                ? "set local synchronous_commit = off"
                : "set local synchronous_commit = on", cancellationToken).ConfigureAwait(false);
            return write;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Concurrent "create table if not exists" can still collide in pg_type, so DDL takes a lock per schema.
    public override Task LockSchemaChangesAsync(WriteTransaction write, CancellationToken cancellationToken) =>
        ExecuteAsync(write, "select pg_advisory_xact_lock(hashtextextended('chronicle-projections:' || current_schema(), 0))",
            cancellationToken);
}
