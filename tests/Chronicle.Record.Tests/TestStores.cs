using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Testing;

namespace Chronicle.Record.Tests;

/// <summary>An event store of its own for one test, removed on dispose.</summary>
public sealed class TestStore : IAsyncDisposable
{
    private readonly Func<ValueTask> _remove;

    internal TestStore(IEventStore store, Func<ValueTask> remove)
    {
        Store = store;
        _remove = remove;
    }

    public IEventStore Store { get; }

    public Task<IReadOnlyList<RecordedEvent>> GlobalLogAsync() => Store.ReadAllAsync(LogPosition.Start, EventStoreLimits.MaxReadCount);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await _remove();
    }
}

/// <summary>Makes each test's store on one backend; the test classes run once per backend.</summary>
public interface ITestStoreFactory
{
    Task<TestStore> CreateAsync();
}

/// <summary>A SQLite file in the temp folder per test.</summary>
public sealed class SqliteTestStores : ITestStoreFactory
{
    public async Task<TestStore> CreateAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"chronicle-record-{Guid.NewGuid():N}.db");
        var store = SqliteEventStore.ForFile(path);
        await store.InitializeAsync();
        return new TestStore(store, () =>
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Delete(path + suffix);
            return ValueTask.CompletedTask;
        });
    }
}

/// <summary>One PostgreSQL server for the test assembly; every test gets a fresh database.</summary>
public sealed class PostgresTestStores : ITestStoreFactory, IAsyncLifetime
{
    private PostgresServer? _server;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    public async Task<TestStore> CreateAsync()
    {
        var store = PostgresEventStore.Create(await _server!.CreateDatabaseAsync("record"), new PostgresEventStoreOptions { Schema = "chronicle" });
        await store.InitializeAsync();
        return new TestStore(store, () => ValueTask.CompletedTask);
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresTestStores>
{
    public const string Name = "postgres";
}
