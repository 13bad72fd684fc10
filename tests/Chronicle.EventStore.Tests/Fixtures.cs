using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Testing;

namespace Chronicle.EventStore.Tests;

/// <summary>
/// One database on the shared server for the collection; every test gets its own schema, so a test can open its store
/// again by naming the schema, with the upcasters it asks for.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await SharedPostgres.CreateDatabaseAsync("eventstore_tests");

    public static string NewSchemaName() => "t" + Guid.NewGuid().ToString("N");

    public async Task<PostgresEventStore> CreateStoreAsync(string? schema = null, IReadOnlyList<IEventUpcaster>? upcasters = null)
    {
        var store = PostgresEventStore.Create(ConnectionString,
            new PostgresEventStoreOptions { Schema = schema ?? NewSchemaName(), Upcasters = upcasters ?? [] });
        await store.InitializeAsync();
        return store;
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = SharedPostgres.Collection;
}

/// <summary>A temp folder of SQLite files, deleted with the test class.</summary>
public sealed class SqliteFiles : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chronicle-sqlite-").FullName;

    public string NewPath() => Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".db");

    public async Task<SqliteEventStore> CreateStoreAsync(string? path = null, IReadOnlyList<IEventUpcaster>? upcasters = null)
    {
        var store = SqliteEventStore.ForFile(path ?? NewPath(), new SqliteEventStoreOptions { Upcasters = upcasters ?? [] });
        await store.InitializeAsync();
        return store;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
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

internal static class TestEvents
{
    public static EventMetadata Metadata { get; } = new()
    {
        UserId = "user-1",
        Role = "GP",
        OrganisationOds = "A81001",
        OnBehalfOf = "patient-9",
        ClientId = "partner-ui",
        Reason = "consultation",
        CorrelationId = "corr-1",
        CausationId = "cause-1",
    };

    public static EventData Event(string type = "V1.Probe", string? body = null) =>
        new(Guid.NewGuid(), type, System.Text.Encoding.UTF8.GetBytes(body ?? $$"""{"value":"{{Guid.NewGuid()}}"}"""), Metadata);

    public static EventData[] Batch(int count, string type = "V1.Probe") =>
        Enumerable.Range(0, count).Select(i => Event(type, $$"""{"index":{{i}}}""")).ToArray();

    public static string NewStream() => "patient-" + Guid.NewGuid().ToString("N");

    public static async Task<List<RecordedEvent>> ReadWholeLogAsync(IEventStore store, int pageSize = 1000)
    {
        var all = new List<RecordedEvent>();
        var after = LogPosition.Start;
        while (true)
        {
            var page = await store.ReadAllAsync(after, pageSize);
            if (page.Count == 0)
                return all;
            all.AddRange(page);
            after = page[^1].LogPosition;
        }
    }
}
