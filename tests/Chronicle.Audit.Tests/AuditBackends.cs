using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chronicle.Audit.Tests;

/// <summary>An Audit event store on one backend, with raw SQL access to its table for tampering, as an intruder with database access would.</summary>
public abstract class AuditBackend : IAsyncDisposable
{
    public abstract IEventStore Store { get; }

    /// <summary>
    /// Runs SQL against the events table, written with {events} for its qualified name and {batch} for the columns only
    /// one backend has (PostgreSQL's batch bounds, copied as they are by a row-copying tamperer); @a, @b bind the arguments.
    /// </summary>
    public abstract Task<int> ExecuteAsync(string sql, object? a = null, object? b = null);

    public abstract ValueTask DisposeAsync();
}

public sealed class SqliteAuditBackend : AuditBackend
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chronicle-audit-").FullName;
    private readonly SqliteEventStore _store;

    private SqliteAuditBackend() => _store = SqliteEventStore.ForFile(Path.Combine(_folder, "audit.db"));

    public static async Task<AuditBackend> CreateAsync()
    {
        var backend = new SqliteAuditBackend();
        await backend._store.InitializeAsync();
        return backend;
    }

    public override IEventStore Store => _store;

    public override async Task<int> ExecuteAsync(string sql, object? a = null, object? b = null)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "audit.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql.Replace("{events}", "events", StringComparison.Ordinal).Replace("{batch}", "", StringComparison.Ordinal);
        command.Parameters.AddWithValue("@a", a ?? DBNull.Value);
        command.Parameters.AddWithValue("@b", b ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

public sealed class PostgresAuditBackend(PostgresEventStore store, string connectionString, string schema) : AuditBackend
{
    public static async Task<AuditBackend> CreateAsync(PostgresFixture postgres)
    {
        var schema = "audit_" + Guid.NewGuid().ToString("N")[..12];
        var store = PostgresEventStore.Create(postgres.ConnectionString, new PostgresEventStoreOptions { Schema = schema });
        await store.InitializeAsync();
        return new PostgresAuditBackend(store, postgres.ConnectionString, schema);
    }

    public override IEventStore Store => store;

    public override async Task<int> ExecuteAsync(string sql, object? a = null, object? b = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{events}", schema + ".events", StringComparison.Ordinal)
            .Replace("{batch}", ", batch_first_version, batch_size", StringComparison.Ordinal), connection);
        command.Parameters.AddWithValue("a", a ?? DBNull.Value);
        command.Parameters.AddWithValue("b", b ?? DBNull.Value);
        return await command.ExecuteNonQueryAsync();
    }

    public override async ValueTask DisposeAsync() => await store.DisposeAsync();
}

/// <summary>One PostgreSQL server and database for the assembly; each test gets its own schema.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        ConnectionString = await _server.CreateDatabaseAsync("audit_tests");
    }

    /// <summary>A fresh database on the same server, for a service under test.</summary>
    public Task<string> CreateDatabaseAsync(string namePrefix) => _server!.CreateDatabaseAsync(namePrefix);

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
