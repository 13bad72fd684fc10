using Chronicle.Testing;

namespace Chronicle.Record.Host.Tests;

/// <summary>
/// Where a host keeps its data (a <see cref="TestStorage"/> left for the host to open), as the settings that point it
/// there. Every host started with the same <see cref="HostStorage"/> sees the same data.
/// </summary>
public sealed record HostStorage(TestStorage Storage, string WorkingDirectory, IReadOnlyList<string> Args)
{
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// On SQLite the host runs in the folder above its data and is given the data directory relative to it, so relative
    /// paths would show; on PostgreSQL it runs in the storage's folder.
    /// </summary>
    public static HostStorage Of(TestStorage storage) => storage.Backend == StorageBackend.Sqlite
        ? new(storage, Path.GetDirectoryName(storage.Directory)!, ["--Chronicle:Storage=sqlite", $"--Chronicle:DataDirectory={Path.GetFileName(storage.Directory)}"])
        : new(storage, storage.Directory, storage.HostArguments("Record"));
}

public static class HostStorages
{
    /// <summary>Fresh storage for a Record host, on the Record's own schemas (RecordStorage's), removed with the test class.</summary>
    public static async Task<HostStorage> ForRecordHostAsync(this TestStorages storages) =>
        HostStorage.Of(await storages.ReserveAsync(new() { Name = "record_host", EventSchema = "chronicle", ReadModelSchema = "record_read" }));
}
