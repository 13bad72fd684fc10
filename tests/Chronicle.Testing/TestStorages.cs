using Xunit;

namespace Chronicle.Testing;

/// <summary>
/// The storages a test class makes on one backend, all removed when its tests are done: a class fixture
/// (<c>IClassFixture&lt;SqliteStorages&gt;</c>) for tests that hand storage to a host and do not dispose it themselves.
/// </summary>
public abstract class TestStorages(StorageBackend backend) : IAsyncLifetime
{
    private readonly List<TestStorage> _made = [];

    public StorageBackend Backend => backend;

    /// <summary>Fresh storage, opened (<see cref="TestStorage.CreateAsync"/>).</summary>
    public async Task<TestStorage> CreateAsync(TestStorageOptions? options = null) => Keep(await TestStorage.CreateAsync(backend, options).ConfigureAwait(false));

    /// <summary>Fresh storage, left for a host to open (<see cref="TestStorage.ReserveAsync"/>).</summary>
    public async Task<TestStorage> ReserveAsync(TestStorageOptions? options = null) => Keep(await TestStorage.ReserveAsync(backend, options).ConfigureAwait(false));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        TestStorage[] made;
        lock (_made)
            made = [.. _made];
        foreach (var storage in made)
            await storage.DisposeAsync().ConfigureAwait(false);
    }

    private TestStorage Keep(TestStorage storage)
    {
        lock (_made)
            _made.Add(storage);
        return storage;
    }
}

public sealed class SqliteStorages() : TestStorages(StorageBackend.Sqlite);

public sealed class PostgresStorages() : TestStorages(StorageBackend.Postgres);
