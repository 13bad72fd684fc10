using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Projections;
using Chronicle.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>An event store and the read-model database the FHIR projection writes to.</summary>
public sealed record FhirBackend(IEventStore Store, ReadModelDatabase ReadModels, Func<ValueTask> Dispose);

public interface IFhirBackendFactory
{
    Task<FhirBackend> CreateAsync();
}

public sealed class SqliteBackendFactory : IFhirBackendFactory, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chronicle-fhir-api-").FullName;

    public async Task<FhirBackend> CreateAsync()
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".db");
        var store = SqliteEventStore.ForFile(path);
        await store.InitializeAsync();
        var readModels = ReadModelDatabase.Sqlite(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
        return new FhirBackend(store, readModels, () => ValueTask.CompletedTask);
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
            // A file a failed test left open; the OS temp cleaner gets it.
        }
    }
}

/// <summary>One PostgreSQL server for the test assembly; every test gets a fresh database.</summary>
public sealed class PostgresBackendFactory : IFhirBackendFactory, IAsyncLifetime
{
    private PostgresServer? _server;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    public async Task<FhirBackend> CreateAsync()
    {
        var connectionString = await _server!.CreateDatabaseAsync("fhir_api");
        var store = PostgresEventStore.Create(connectionString, new PostgresEventStoreOptions { Schema = "chronicle" });
        await store.InitializeAsync();
        var dataSource = NpgsqlDataSource.Create(connectionString);
        return new FhirBackend(store, ReadModelDatabase.Postgres(dataSource), dataSource.DisposeAsync);
    }
}
