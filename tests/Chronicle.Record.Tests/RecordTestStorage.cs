using Chronicle.EventStore;
using Chronicle.Testing;

namespace Chronicle.Record.Tests;

/// <summary>The Record's storage for one test (<see cref="TestStorage"/> on the Record's own schemas), and its whole log.</summary>
internal static class RecordTestStorage
{
    public static Task<TestStorage> CreateAsync(StorageBackend backend) => TestStorage.CreateAsync(backend, new()
    {
        Name = "record", EventSchema = Record.Host.RecordStorage.EventSchema, ReadModelSchema = Record.Host.RecordStorage.ReadModelSchema,
    });

    public static Task<IReadOnlyList<RecordedEvent>> GlobalLogAsync(this TestStorage storage) =>
        storage.Events.ReadAllAsync(LogPosition.Start, EventStoreLimits.MaxReadCount);
}
