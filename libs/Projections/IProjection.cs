using System.Data.Common;
using Chronicle.EventStore;

namespace Chronicle.Projections;

/// <summary>
/// Turns the global log into read-model tables. The runner calls <see cref="ApplyAsync"/> once per event, in log
/// order, inside the transaction that also moves the projection's checkpoint, so each event takes effect exactly once.
/// A projection writes only through <see cref="ProjectionContext"/> and only to the tables it declares, naming them
/// with <see cref="ProjectionContext.Table"/>: a rebuild points those names at a fresh generation of tables.
/// </summary>
public interface IProjection
{
    /// <summary>The checkpoint's key; stable for the life of the read model.</summary>
    string Name { get; }

    /// <summary>
    /// The version of what the projection writes for the same events. Raise it when that changes (a new element, a new
    /// index value): tables written by another version are rebuilt and swapped in at start, while the old ones keep
    /// serving, so every row is of one version and old events are shown as new ones are.
    /// </summary>
    int Version => 1;

    /// <summary>The logical names of every table the projection owns (lower-case SQL identifiers).</summary>
    IReadOnlyList<string> Tables { get; }

    /// <summary>
    /// Creates the tables (and their indexes) under <see cref="ProjectionContext.Table"/> names. Index names must be
    /// derived from the physical table name, because indexes keep their names when the rebuild renames a table.
    /// </summary>
    Task CreateTablesAsync(ProjectionContext context, CancellationToken cancellationToken);

    Task ApplyAsync(ProjectionContext context, RecordedEvent recorded, CancellationToken cancellationToken);
}

/// <summary>
/// A projection that wants to see each batch whole: the runner calls <see cref="BeginBatchAsync"/> before the batch's
/// first <see cref="IProjection.ApplyAsync"/> (to load in one query what the batch will read, say) and
/// <see cref="EndBatchAsync"/> after its last (to queue the batch's writes with <see cref="ProjectionContext.Enqueue"/>,
/// say). All three run in the batch's transaction with the same <see cref="ProjectionContext"/>, which lives for that
/// batch only; its queued writes are flushed after <see cref="EndBatchAsync"/>, before the checkpoint moves.
/// </summary>
public interface IBatchProjection : IProjection
{
    Task BeginBatchAsync(ProjectionContext context, IReadOnlyList<RecordedEvent> events, CancellationToken cancellationToken);

    Task EndBatchAsync(ProjectionContext context, CancellationToken cancellationToken);
}

public enum SqlDialect
{
    Postgres,
    Sqlite,
}

/// <summary>
/// The open write transaction a projection applies events in, and where its tables physically are. The runner makes
/// one per batch of events.
/// </summary>
public sealed class ProjectionContext
{
    private readonly IReadOnlyDictionary<string, string> _physicalTables;
    private readonly List<(string Sql, (string Name, object? Value)[] Parameters)> _queued = [];

    internal ProjectionContext(DbConnection connection, DbTransaction transaction, SqlDialect dialect,
        IReadOnlyDictionary<string, string> physicalTables)
    {
        Connection = connection;
        Transaction = transaction;
        Dialect = dialect;
        _physicalTables = physicalTables;
    }

    public DbConnection Connection { get; }
    public DbTransaction Transaction { get; }
    public SqlDialect Dialect { get; }

    /// <summary>The physical table to read and write for one of the projection's logical tables.</summary>
    public string Table(string logicalName) => _physicalTables.TryGetValue(logicalName, out var physical)
        ? physical
        : throw new ArgumentException($"Table '{logicalName}' is not one of the projection's declared tables.", nameof(logicalName));

    /// <summary>
    /// A command in the projection's transaction. Parameters are referenced as @name in the SQL, which both
    /// Npgsql and Microsoft.Data.Sqlite accept; null values are sent as SQL NULL.
    /// </summary>
    public DbCommand CreateCommand(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        SqlCommand.Create(Connection, Transaction, sql, parameters);

    /// <summary>
    /// Whatever the projection keeps from one event of this batch to the next (a cache of the rows it has written,
    /// say). It starts null and is dropped with the batch, so nothing in it outlives a rolled-back transaction.
    /// </summary>
    public object? BatchState { get; set; }

    /// <summary>Statements queued by <see cref="Enqueue"/> and not yet sent.</summary>
    public int QueuedCount => _queued.Count;

    /// <summary>
    /// Queues a write to be sent with the others in one round trip (a <see cref="DbBatch"/> where the provider has
    /// one) by <see cref="FlushAsync"/>, which the runner calls before it writes the checkpoint. Queued writes run in
    /// the order queued; commands from <see cref="CreateCommand"/> do not see them until they are flushed.
    /// </summary>
    public void Enqueue(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        _queued.Add((sql, parameters.ToArray()));

    /// <summary>Sends the queued writes, in order, in this context's transaction.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_queued.Count == 0)
            return;
        var queued = _queued.ToArray();
        _queued.Clear();
        if (Connection.CanCreateBatch)
        {
            await using var batch = Connection.CreateBatch();
            batch.Transaction = Transaction;
            foreach (var (sql, parameters) in queued)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = sql;
                SqlCommand.AddParameters(command.Parameters, command.CreateParameter, parameters);
                batch.BatchCommands.Add(command);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        // In-process providers (SQLite) have no round trip to save: one command after another.
        foreach (var (sql, parameters) in queued)
        {
            await using var command = SqlCommand.Create(Connection, Transaction, sql, parameters);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

internal static class SqlCommand
{
    public static DbCommand Create(DbConnection connection, DbTransaction? transaction, string sql,
        params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        AddParameters(command.Parameters, command.CreateParameter, parameters);
        return command;
    }

    public static void AddParameters(DbParameterCollection collection, Func<DbParameter> create,
        ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            var parameter = create();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            collection.Add(parameter);
        }
    }
}
