using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Projections;
using Chronicle.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chronicle.Messaging.Tests;

public enum Backend
{
    Sqlite,
    Postgres,
}

/// <summary>One PostgreSQL server for the whole assembly, started only when a PostgreSQL test runs.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private PostgresServer? _server;

    public async Task<PostgresServer> ServerAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _server ??= await PostgresServer.StartAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class MessagingCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "messaging";
}

/// <summary>
/// The databases of one scenario, each app's its own as in production: the publisher's event store (with the relay's
/// checkpoint beside it), the consumer's read model and inbox, the dead-letter observer's table. Brokers' queues and the
/// observer are always SQLite files in the scenario's folder.
/// </summary>
public sealed class ScenarioDatabases : IAsyncDisposable
{
    private readonly List<Func<ValueTask>> _disposals = [];

    private ScenarioDatabases(string folder) => Folder = folder;

    public string Folder { get; }
    public IEventStore Store { get; private set; } = null!;
    public ReadModelDatabase PublisherDatabase { get; private set; } = null!;
    public ReadModelDatabase ConsumerDatabase { get; private set; } = null!;
    public ReadModelDatabase ObserverDatabase { get; private set; } = null!;

    public string QueuePath(string appId) => Path.Combine(Folder, $"{appId}.direct-broker.db");

    public static async Task<ScenarioDatabases> CreateAsync(Backend backend, PostgresFixture postgres)
    {
        var databases = new ScenarioDatabases(Directory.CreateTempSubdirectory("chronicle-messaging-").FullName);
        databases.ObserverDatabase = ReadModelDatabase.Sqlite(SqliteFile(databases.Folder, "observer"));
        if (backend == Backend.Sqlite)
        {
            var storePath = Path.Combine(databases.Folder, "record.db");
            databases.Store = SqliteEventStore.ForFile(storePath);
            databases.PublisherDatabase = ReadModelDatabase.Sqlite(new SqliteConnectionStringBuilder { DataSource = storePath }.ToString());
            databases.ConsumerDatabase = ReadModelDatabase.Sqlite(SqliteFile(databases.Folder, "consumer"));
        }
        else
        {
            var server = await postgres.ServerAsync();
            var recordConnection = await server.CreateDatabaseAsync("messaging_record");
            databases.Store = PostgresEventStore.Create(recordConnection);
            var recordSource = NpgsqlDataSource.Create(recordConnection);
            var consumerSource = NpgsqlDataSource.Create(await server.CreateDatabaseAsync("messaging_consumer"));
            databases._disposals.Add(recordSource.DisposeAsync);
            databases._disposals.Add(consumerSource.DisposeAsync);
            databases.PublisherDatabase = ReadModelDatabase.Postgres(recordSource);
            databases.ConsumerDatabase = ReadModelDatabase.Postgres(consumerSource);
        }

        await databases.Store.InitializeAsync();
        await RecordFactsConsumer.CreateTablesAsync(databases.ConsumerDatabase);
        await DeadLetterRecorder.CreateTablesAsync(databases.ObserverDatabase);
        return databases;
    }

    private static string SqliteFile(string folder, string name) =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, name + ".db") }.ToString();

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        foreach (var dispose in _disposals)
            await dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open; the OS temp cleaner will get it.
        }
    }
}
