using System.Data.Common;
using System.Text.RegularExpressions;
using Chronicle.EventStore;
using Npgsql;

namespace Chronicle.Projections;

/// <summary>
/// The database read models live in: the same one as the event store or another. Tables are created unqualified,
/// so on PostgreSQL they land in the connection's current schema (set "Search Path" to choose another).
/// </summary>
public abstract partial class ReadModelDatabase
{
    private const string CheckpointTable = "projection_checkpoints";
    private const string VersionTable = "projection_versions";

    private protected ReadModelDatabase()
    {
    }

    public abstract SqlDialect Dialect { get; }

    public static ReadModelDatabase Postgres(NpgsqlDataSource dataSource) => new PostgresReadModelDatabase(dataSource);

    public static ReadModelDatabase Sqlite(string connectionString) => new SqliteReadModelDatabase(connectionString);

    /// <summary>An open connection for querying read-model tables.</summary>
    public abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default);

    /// <summary>The durable checkpoint of a projection: the last event it applied, or <see cref="LogPosition.Start"/>.</summary>
    public async Task<LogPosition> ReadCheckpointAsync(string projectionName, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (!(await ListTablesAsync(connection, null, cancellationToken).ConfigureAwait(false)).Contains(CheckpointTable))
            return LogPosition.Start;
        await using var command = SqlCommand.Create(connection, null,
            $"select tx_id, position from {CheckpointTable} where name = @name", ("name", projectionName));
        return await ReadPositionAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The names of the tables in the read-model schema.</summary>
    public async Task<IReadOnlySet<string>> ListTablesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ListTablesAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens a connection and begins the transaction that all read-model writes (effects, checkpoint, DDL) run in.
    /// On SQLite it holds the file's write lock until disposed, so keep it short and do no network calls inside it.
    /// The commit is durable (<see cref="WriteDurability.Durable"/>).
    /// </summary>
    public Task<WriteTransaction> BeginWriteAsync(CancellationToken cancellationToken = default) =>
        BeginWriteAsync(WriteDurability.Durable, cancellationToken);

    /// <summary>As <see cref="BeginWriteAsync(CancellationToken)"/>, with the durability the commit needs.</summary>
    public abstract Task<WriteTransaction> BeginWriteAsync(WriteDurability durability, CancellationToken cancellationToken = default);

    private protected abstract string ListTablesSql { get; }

    /// <summary>What makes the checkpoint read hold the row until commit, so two runners cannot both apply an event.</summary>
    private protected abstract string LockRowSuffix { get; }

    /// <summary>Serialises DDL from concurrent starts against the same database (PostgreSQL's catalog is not race-free).</summary>
    public abstract Task LockSchemaChangesAsync(WriteTransaction write, CancellationToken cancellationToken);

    internal async Task<IReadOnlySet<string>> ListTablesAsync(DbConnection connection, DbTransaction? transaction,
        CancellationToken cancellationToken)
    {
        var tables = new HashSet<string>(StringComparer.Ordinal);
        await using var command = SqlCommand.Create(connection, transaction, ListTablesSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            tables.Add(reader.GetString(0));
        return tables;
    }

    /// <summary>Creates the checkpoint table that projections (and other log consumers) keep their positions in.</summary>
    public async Task EnsureCheckpointTableAsync(CancellationToken cancellationToken = default)
    {
        await using var write = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await LockSchemaChangesAsync(write, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(write, $"""
            create table if not exists {CheckpointTable} (
                name       text   primary key,
                tx_id      bigint not null,
                position   bigint not null,
                updated_at {(Dialect == SqlDialect.Postgres ? "timestamptz" : "text")} not null
            )
            """, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(write, $"create table if not exists {VersionTable} (name text primary key, version integer not null)",
            cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The version (<see cref="IProjection.Version"/>) that wrote a projection's tables; null if none was recorded.</summary>
    public async Task<int?> ReadProjectionVersionAsync(string projectionName, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (!(await ListTablesAsync(connection, null, cancellationToken).ConfigureAwait(false)).Contains(VersionTable))
            return null;
        await using var command = SqlCommand.Create(connection, null, $"select version from {VersionTable} where name = @name", ("name", projectionName));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is { } version and not DBNull
            ? Convert.ToInt32(version, System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    internal Task WriteProjectionVersionAsync(WriteTransaction write, string projectionName, int version, CancellationToken cancellationToken) =>
        ExecuteAsync(write, $"""
            insert into {VersionTable} (name, version) values (@name, @version)
            on conflict (name) do update set version = excluded.version
            """, cancellationToken, ("name", projectionName), ("version", version));

    /// <summary>Records that <paramref name="version"/> wrote a projection's tables, in its own transaction.</summary>
    internal async Task WriteProjectionVersionAsync(string projectionName, int version, CancellationToken cancellationToken)
    {
        await using var write = await BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await WriteProjectionVersionAsync(write, projectionName, version, cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves a named checkpoint forward to <paramref name="position"/> in its own transaction; a position at or
    /// behind the stored one leaves it as it is, so a slow writer can never move a checkpoint back.
    /// </summary>
    public async Task AdvanceCheckpointAsync(string name, LogPosition position, CancellationToken cancellationToken = default) =>
        await AdvanceCheckpointAsync(name, position, WriteDurability.Durable, cancellationToken).ConfigureAwait(false);

    /// <summary>As <see cref="AdvanceCheckpointAsync(string, LogPosition, CancellationToken)"/>, with the durability the checkpoint needs.</summary>
    public async Task AdvanceCheckpointAsync(string name, LogPosition position, WriteDurability durability, CancellationToken cancellationToken = default)
    {
        await using var write = await BeginWriteAsync(durability, cancellationToken).ConfigureAwait(false);
        if (await ReadCheckpointForUpdateAsync(write, name, cancellationToken).ConfigureAwait(false) >= position)
            return;
        await WriteCheckpointAsync(write, name, position, cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the checkpoint inside a write transaction and holds it until the transaction ends.</summary>
    internal async Task<LogPosition> ReadCheckpointForUpdateAsync(WriteTransaction write, string projectionName,
        CancellationToken cancellationToken)
    {
        await using var command = SqlCommand.Create(write.Connection, write.Transaction,
            $"select tx_id, position from {CheckpointTable} where name = @name{LockRowSuffix}", ("name", projectionName));
        return await ReadPositionAsync(command, cancellationToken).ConfigureAwait(false);
    }

    internal Task WriteCheckpointAsync(WriteTransaction write, string projectionName, LogPosition position,
        CancellationToken cancellationToken) =>
        ExecuteAsync(write, $"""
            insert into {CheckpointTable} (name, tx_id, position, updated_at) values (@name, @tx, @position, @now)
            on conflict (name) do update set tx_id = excluded.tx_id, position = excluded.position, updated_at = excluded.updated_at
            """, cancellationToken,
            ("name", projectionName), ("tx", position.Transaction), ("position", position.Position), ("now", DateTimeOffset.UtcNow));

    internal Task DropTableAsync(WriteTransaction write, string table, CancellationToken cancellationToken) =>
        ExecuteAsync(write, $"drop table if exists {ValidateTableName(table)}", cancellationToken);

    internal Task RenameTableAsync(WriteTransaction write, string from, string to, CancellationToken cancellationToken) =>
        ExecuteAsync(write, $"alter table {ValidateTableName(from)} rename to {ValidateTableName(to)}", cancellationToken);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex TableNamePattern();

    internal static string ValidateTableName(string name) => TableNamePattern().IsMatch(name)
        ? name
        : throw new ArgumentException($"Table name '{name}' must be a lower-case SQL identifier of at most 63 characters.", nameof(name));

    private protected static async Task ExecuteAsync(WriteTransaction write, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = SqlCommand.Create(write.Connection, write.Transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<LogPosition> ReadPositionAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new LogPosition(reader.GetInt64(0), reader.GetInt64(1))
            : LogPosition.Start;
    }
}

/// <summary>One read-model write: a connection, its transaction, and (on SQLite) this process's writer slot.</summary>
public sealed class WriteTransaction : IAsyncDisposable
{
    private readonly IDisposable? _writerSlot;

    internal WriteTransaction(DbConnection connection, DbTransaction transaction, IDisposable? writerSlot)
    {
        Connection = connection;
        Transaction = transaction;
        _writerSlot = writerSlot;
    }

    public DbConnection Connection { get; }
    public DbTransaction Transaction { get; }

    /// <summary>A command in this transaction; parameters are referenced as @name (see <see cref="ProjectionContext.CreateCommand"/>).</summary>
    public DbCommand CreateCommand(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        SqlCommand.Create(Connection, Transaction, sql, parameters);

    public Task CommitAsync(CancellationToken cancellationToken = default) => Transaction.CommitAsync(cancellationToken);

    /// <summary>Rolls back unless committed, then returns the connection to its pool.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync().ConfigureAwait(false);
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _writerSlot?.Dispose();
        }
    }
}
