using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chronicle.Projections.Tests;

/// <summary>An event store and the read-model database its projections write to, disposed together.</summary>
public sealed class Backend(IEventStore store, ReadModelDatabase readModels, Func<ValueTask> dispose) : IAsyncDisposable
{
    public IEventStore Store { get; } = store;
    public ReadModelDatabase ReadModels { get; } = readModels;

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await dispose();
    }
}

/// <summary>One PostgreSQL server for the whole assembly; every test gets its own database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    /// <summary>The event store (schema "chronicle") and the read models (schema "public") share one fresh database.</summary>
    /// <param name="sessionSettings">Server settings every session starts with (e.g. synchronous_commit=off), as a server's defaults would.</param>
    public async Task<Backend> CreateBackendAsync(string? sessionSettings = null)
    {
        var connectionString = await Server.CreateDatabaseAsync("projections");
        if (sessionSettings is not null)
            connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Options = sessionSettings }.ConnectionString;
        var store = PostgresEventStore.Create(connectionString);
        await store.InitializeAsync();
        var dataSource = NpgsqlDataSource.Create(connectionString);
        return new Backend(store, ReadModelDatabase.Postgres(dataSource), dataSource.DisposeAsync);
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}

/// <summary>A temp folder of SQLite files, deleted with the test class. Store and read models share one file.</summary>
public sealed class SqliteFiles : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chronicle-projections-").FullName;

    public async Task<Backend> CreateBackendAsync()
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".db");
        var store = SqliteEventStore.ForFile(path);
        await store.InitializeAsync();
        var readModels = ReadModelDatabase.Sqlite(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
        return new Backend(store, readModels, () => ValueTask.CompletedTask);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a store the test did not dispose; the OS temp cleaner will get it.
        }
    }
}
