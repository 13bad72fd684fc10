using Chronicle.EventStore;
using Chronicle.Testing;

namespace Chronicle.Record.Tests;

/// <summary>The Record's storage for one test (<see cref="TestStorage"/> on the Record's own schemas), and its record's log.</summary>
internal static class RecordTestStorage
{
    public static Task<TestStorage> CreateAsync(StorageBackend backend) => TestStorage.CreateAsync(backend, ComposedRecord.StorageOptions());

    /// <summary>The record's own events (<see cref="ComposedRecord.IsRecordStream"/>), without audit entries or anything else kept beside them.</summary>
    public static async Task<IReadOnlyList<RecordedEvent>> GlobalLogAsync(this TestStorage storage) =>
        (await storage.Events.ReadAllAsync(LogPosition.Start, EventStoreLimits.MaxReadCount)).Where(e => ComposedRecord.IsRecordStream(e.StreamId)).ToList();
}
