using Chronicle.Testing;

namespace Chronicle.Record.Host.Tests;

/// <summary>
/// Where a host keeps its data, as the settings that point it there. Every host started with the same
/// <see cref="HostStorage"/> sees the same data.
/// </summary>
public sealed record HostStorage(string WorkingDirectory, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Opens the host's event store from outside, as an operator would (after the host has stopped, for SQLite).</summary>
    public Func<Task<Chronicle.EventStore.IEventStore>> OpenEventStore { get; init; } = () => throw new NotSupportedException();
}

public interface IHostStorageFactory
{
    Task<HostStorage> CreateAsync();
}

/// <summary>SQLite files in a fresh folder; the host runs in another, so relative paths would show.</summary>
public sealed class SqliteHostStorageFactory : IHostStorageFactory, IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("chronicle-record-host-").FullName;

    public Task<HostStorage> CreateAsync()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, Guid.NewGuid().ToString("N"))).FullName;
        return Task.FromResult(new HostStorage(folder, ["--Chronicle:Storage=sqlite", "--Chronicle:DataDirectory=data"], new Dictionary<string, string>())
        {
            OpenEventStore = async () =>
            {
                var store = Chronicle.EventStore.Sqlite.SqliteEventStore.ForFile(Path.Combine(folder, "data", "events.db"));
                await store.InitializeAsync();
                return store;
            },
        });
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner gets what a failed test left open.
        }
    }
}

/// <summary>One PostgreSQL server for the assembly; every storage is a fresh database, named through the environment.</summary>
public sealed class PostgresHostStorageFactory : IHostStorageFactory, IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("chronicle-record-host-pg-").FullName;
    private PostgresServer? _server;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    public async Task<HostStorage> CreateAsync()
    {
        var connectionString = await _server!.CreateDatabaseAsync("record_host");
        return new HostStorage(_root, [], new Dictionary<string, string>
        {
            ["Chronicle__Storage"] = "postgres",
            ["ConnectionStrings__Record"] = connectionString,
        })
        {
            OpenEventStore = async () =>
            {
                var store = Chronicle.EventStore.Postgres.PostgresEventStore.Create(connectionString,
                    new Chronicle.EventStore.Postgres.PostgresEventStoreOptions { Schema = "chronicle" });
                await store.InitializeAsync();
                return store;
            },
        };
    }
}
