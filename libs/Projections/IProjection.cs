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

    /// <summary>The logical names of every table the projection owns (lower-case SQL identifiers).</summary>
    IReadOnlyList<string> Tables { get; }

    /// <summary>
    /// Creates the tables (and their indexes) under <see cref="ProjectionContext.Table"/> names. Index names must be
    /// derived from the physical table name, because indexes keep their names when the rebuild renames a table.
    /// </summary>
    Task CreateTablesAsync(ProjectionContext context, CancellationToken cancellationToken);

    Task ApplyAsync(ProjectionContext context, RecordedEvent recorded, CancellationToken cancellationToken);
}

public enum SqlDialect
{
    Postgres,
    Sqlite,
}

/// <summary>The open write transaction a projection applies events in, and where its tables physically are.</summary>
public sealed class ProjectionContext
{
    private readonly IReadOnlyDictionary<string, string> _physicalTables;

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
}

internal static class SqlCommand
{
    public static DbCommand Create(DbConnection connection, DbTransaction? transaction, string sql,
        params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
