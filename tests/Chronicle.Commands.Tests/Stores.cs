using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Testing;
using Microsoft.Data.Sqlite;

namespace Chronicle.Commands.Tests;

/// <summary>Makes each test's own event store on one backend; the test classes run once per backend.</summary>
public interface IStoreFactory
{
    Task<IEventStore> CreateAsync();
}

/// <summary>A SQLite file per store in a temp folder, deleted with the test class.</summary>
public sealed class SqliteStores : IStoreFactory, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chronicle-commands-").FullName;

    public async Task<IEventStore> CreateAsync()
    {
        var store = SqliteEventStore.ForFile(Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".db"));
        await store.InitializeAsync();
        return store;
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
            // A file still open by a store a test did not dispose; the OS temp cleaner will get it.
        }
    }
}

/// <summary>One PostgreSQL server for the test assembly; every store gets a fresh database.</summary>
public sealed class PostgresStores : IStoreFactory, IAsyncLifetime
{
    private PostgresServer? _server;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    public async Task<IEventStore> CreateAsync()
    {
        var server = _server ?? throw new InvalidOperationException("The server has not started.");
        var store = PostgresEventStore.Create(await server.CreateDatabaseAsync("commands"), new PostgresEventStoreOptions { Schema = "chronicle" });
        await store.InitializeAsync();
        return store;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresStores>
{
    public const string Name = "postgres";
}
