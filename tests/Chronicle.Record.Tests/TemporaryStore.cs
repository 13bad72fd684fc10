using Chronicle.EventStore;
using Chronicle.EventStore.Sqlite;

namespace Chronicle.Record.Tests;

/// <summary>A SQLite event store in a temporary file, deleted on dispose.</summary>
internal sealed class TemporaryStore : IAsyncDisposable
{
    private readonly string _path;

    private TemporaryStore(string path, SqliteEventStore store)
    {
        _path = path;
        Store = store;
    }

    public SqliteEventStore Store { get; }

    public static async Task<TemporaryStore> CreateAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"chronicle-record-{Guid.NewGuid():N}.db");
        var store = SqliteEventStore.ForFile(path);
        await store.InitializeAsync();
        return new TemporaryStore(path, store);
    }

    public Task<IReadOnlyList<RecordedEvent>> GlobalLogAsync() => Store.ReadAllAsync(LogPosition.Start, EventStoreLimits.MaxReadCount);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(_path + suffix);
    }
}
