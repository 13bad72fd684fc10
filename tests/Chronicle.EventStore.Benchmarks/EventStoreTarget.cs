namespace Chronicle.EventStore.Benchmarks;

/// <summary>The store under test, on either backend. Writers chain ExpectedVersion so the version check runs on every append.</summary>
internal sealed class EventStoreTarget(IEventStore store, SamplePayload payload, Func<ValueTask> cleanUp) : IAppendTarget
{
    public IAppendWriter CreateWriter(int writerIndex, int eventsPerAppend) =>
        new StoreStreamWriter(store, $"patient-{writerIndex:D4}", payload, eventsPerAppend);

    public async Task<long> ReadWholeLogAsync(int pageSize, CancellationToken cancellationToken)
    {
        long read = 0;
        var after = LogPosition.Start;
        while (true)
        {
            var page = await store.ReadAllAsync(after, pageSize, cancellationToken);
            if (page.Count == 0)
                return read;
            read += page.Count;
            after = page[^1].LogPosition;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await store.DisposeAsync();
        await cleanUp();
    }

    private sealed class StoreStreamWriter(IEventStore store, string streamId, SamplePayload payload, int eventsPerAppend) : IAppendWriter
    {
        private ExpectedVersion _expected = ExpectedVersion.NoStream;

        public async Task AppendAsync(CancellationToken cancellationToken)
        {
            var result = await store.AppendAsync(streamId, _expected, payload.NewEvents(eventsPerAppend), cancellationToken);
            _expected = ExpectedVersion.Exact(result.NextExpectedVersion);
        }
    }
}
