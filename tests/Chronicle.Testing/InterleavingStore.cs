using Chronicle.EventStore;

namespace Chronicle.Testing;

/// <summary>
/// A real store that lets a test put another writer's append between a command's read and its append: the next append
/// to <see cref="Stream"/> first runs <see cref="BeforeNextAppend"/> (once) against the same store.
/// </summary>
public sealed class InterleavingStore(IEventStore inner) : IEventStore
{
    public string? Stream { get; set; }

    public Func<IEventStore, Task>? BeforeNextAppend { get; set; }

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public async Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events,
        CancellationToken cancellationToken = default)
    {
        if (streamId == Stream && BeforeNextAppend is { } interleaved)
        {
            BeforeNextAppend = null;
            await interleaved(inner);
        }

        return await inner.AppendAsync(streamId, expectedVersion, events, cancellationToken);
    }

    public Task<StreamState> GetStreamStateAsync(string streamId, CancellationToken cancellationToken = default) =>
        inner.GetStreamStateAsync(streamId, cancellationToken);

    public Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string streamId, StreamReadOptions options, CancellationToken cancellationToken = default) =>
        inner.ReadStreamAsync(streamId, options, cancellationToken);

    public Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(LogPosition after, int maxCount, CancellationToken cancellationToken = default) =>
        inner.ReadAllAsync(after, maxCount, cancellationToken);

    public Task<long> CountEventsAfterAsync(LogPosition after, CancellationToken cancellationToken = default) =>
        inner.CountEventsAfterAsync(after, cancellationToken);

    public Task WaitForAppendAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => inner.WaitForAppendAsync(timeout, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
