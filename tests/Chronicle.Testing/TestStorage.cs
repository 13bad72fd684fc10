using Chronicle.EventStore;
using Chronicle.Projections;
using Chronicle.ServiceDefaults;
using Microsoft.Data.Sqlite;

namespace Chronicle.Testing;

/// <summary>Where a test keeps a service's data.</summary>
public enum StorageBackend
{
    /// <summary>The two SQLite files of <see cref="ServiceStorage.OpenSqliteAsync"/> in a fresh temp directory.</summary>
    Sqlite,

    /// <summary>A fresh database on the process's <see cref="SharedPostgres"/> server.</summary>
    Postgres,
}

/// <summary>
/// One service's storage for one test, opened as the service opens it in production (<see cref="ServiceStorage"/>): an
/// event store and its read-model database, in a fresh temp directory (SQLite) or a fresh database on the shared server
/// (PostgreSQL). Disposing closes it and removes the temp directory.
/// </summary>
public sealed class TestStorage : IAsyncDisposable
{
    private ServiceStorage? _opened;

    private TestStorage(StorageBackend backend, string directory, string? connectionString, TestStorageOptions options)
    {
        Backend = backend;
        Directory = directory;
        ConnectionString = connectionString;
        Options = options;
    }

    public StorageBackend Backend { get; }

    /// <summary>A fresh temp directory of this storage's own: on SQLite the data directory, on PostgreSQL free for the test's files.</summary>
    public string Directory { get; }

    /// <summary>On PostgreSQL, a superuser's connection string to the fresh database; null on SQLite.</summary>
    public string? ConnectionString { get; }

    public TestStorageOptions Options { get; }

    /// <summary>On SQLite, the event store's file.</summary>
    public string EventsFile => Path.Combine(Directory, ServiceStorage.EventsFile);

    /// <summary>On SQLite, the read models' file.</summary>
    public string ReadModelsFile => Path.Combine(Directory, ServiceStorage.ReadModelsFile);

    public IEventStore Events => Opened.Events;

    public ReadModelDatabase ReadModels => Opened.ReadModels;

    private ServiceStorage Opened => _opened ?? throw new InvalidOperationException(
        "This storage was reserved for a host that opens it itself; open it with OpenAsync.");

    /// <summary>Fresh storage, opened.</summary>
    public static async Task<TestStorage> CreateAsync(StorageBackend backend, TestStorageOptions? options = null)
    {
        var storage = await ReserveAsync(backend, options).ConfigureAwait(false);
        try
        {
            storage._opened = await storage.OpenAsync().ConfigureAwait(false);
            return storage;
        }
        catch
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Fresh storage, left unopened: for a service host that opens it itself, told where by its settings.</summary>
    public static async Task<TestStorage> ReserveAsync(StorageBackend backend, TestStorageOptions? options = null)
    {
        options ??= new TestStorageOptions();
        var directory = System.IO.Directory.CreateTempSubdirectory($"chronicle-{options.Name}-").FullName;
        if (backend == StorageBackend.Sqlite)
            return new TestStorage(backend, directory, null, options);
        try
        {
            var connectionString = await SharedPostgres.CreateDatabaseAsync(options.Name).ConfigureAwait(false);
            if (options.PostgresSessionSettings is { } settings)
                connectionString = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Options = settings }.ConnectionString;
            return new TestStorage(backend, directory, connectionString, options);
        }
        catch
        {
            DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>
    /// The settings, as command-line arguments, that point a Chronicle service host at this storage:
    /// <c>Chronicle:Storage</c>, <c>Chronicle:DataDirectory</c> (on PostgreSQL, for the files a service keeps beside its
    /// database) and on PostgreSQL <c>ConnectionStrings:<paramref name="connectionStringName"/></c>.
    /// </summary>
    public IReadOnlyList<string> HostArguments(string connectionStringName) => Backend == StorageBackend.Sqlite
        ? ["--Chronicle:Storage=sqlite", $"--Chronicle:DataDirectory={Directory}"]
        : ["--Chronicle:Storage=postgres", $"--ConnectionStrings:{connectionStringName}={ConnectionString}", $"--Chronicle:DataDirectory={Directory}"];

    /// <summary>Opens the same data again, as another process or a restarted service would; the caller disposes it.</summary>
    public Task<ServiceStorage> OpenAsync(CancellationToken cancellationToken = default) => Backend == StorageBackend.Sqlite
        ? ServiceStorage.OpenSqliteAsync(Directory, cancellationToken)
        : ServiceStorage.OpenPostgresAsync(ConnectionString!, Options.EventSchema, Options.ReadModelSchema, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_opened is not null)
            await _opened.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
        DeleteDirectory(Directory);
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file a failed test left open; the OS temp cleaner gets it.
        }
    }
}

public sealed record TestStorageOptions
{
    /// <summary>Names the temp directory and the database, to tell them apart when one is left behind.</summary>
    public string Name { get; init; } = "test";

    /// <summary>The events' schema on PostgreSQL; a service's own (e.g. RecordStorage.EventSchema) to share data with its host.</summary>
    public string EventSchema { get; init; } = "chronicle";

    /// <summary>The read models' schema on PostgreSQL.</summary>
    public string ReadModelSchema { get; init; } = "read_models";

    /// <summary>Settings every PostgreSQL session starts with (e.g. "-c synchronous_commit=off"), as a server's defaults would.</summary>
    public string? PostgresSessionSettings { get; init; }
}
