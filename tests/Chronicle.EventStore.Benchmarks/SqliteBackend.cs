using Chronicle.EventStore.Sqlite;
using Chronicle.Testing;
using Microsoft.Data.Sqlite;

namespace Chronicle.EventStore.Benchmarks;

/// <summary>A temp folder; every case gets its own database file for the store and for the baseline.</summary>
internal sealed class SqliteBackend : IBenchmarkBackend
{
    private readonly string _folder;
    private readonly SamplePayload _payload;

    private SqliteBackend(string folder, SamplePayload payload, IReadOnlyList<string> description)
    {
        _folder = folder;
        _payload = payload;
        Description = description;
    }

    public string Name => "SQLite";

    public IReadOnlyList<string> Description { get; }

    public static async Task<SqliteBackend> CreateAsync(SamplePayload payload)
    {
        var folder = Directory.CreateTempSubdirectory("chronicle-bench-").FullName;
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "version.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "select sqlite_version()";
        var version = (string)(await command.ExecuteScalarAsync())!;
        string[] description =
        [
            $"SQLite {version} (Microsoft.Data.Sqlite {typeof(SqliteConnection).Assembly.GetName().Version}), files in {folder} ({FileSystems.Describe(folder)})",
            "Durability: journal_mode=WAL, synchronous=FULL on both sides; one writer connection behind a lock on both sides",
            "Baseline: single event = one autocommitted INSERT; batch = BEGIN IMMEDIATE + prepared INSERT per row + COMMIT",
            "Each case uses fresh database files.",
        ];
        return new SqliteBackend(folder, payload, description);
    }

    public async Task<IAppendTarget> CreateStoreAsync(string tag)
    {
        var path = Path.Combine(_folder, $"store_{tag}.db");
        var store = SqliteEventStore.ForFile(path);
        await store.InitializeAsync();
        return new EventStoreTarget(store, _payload, () => DeleteDatabase(path));
    }

    public async Task<IAppendTarget> CreateBaselineAsync(string tag)
    {
        var path = Path.Combine(_folder, $"raw_{tag}.db");
        return await SqliteInsertBaseline.CreateAsync(path, _payload, () => DeleteDatabase(path));
    }

    public Task SettleAsync() => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static ValueTask DeleteDatabase(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            File.Delete(file);
        return ValueTask.CompletedTask;
    }
}
