namespace Chronicle.EventStore.Benchmarks;

/// <summary>
/// One side of a comparison, on a fresh table or schema: the event store, or the raw-SQL baseline that
/// writes the same bytes with the same durability and concurrency.
/// </summary>
internal interface IAppendTarget : IAsyncDisposable
{
    /// <summary>A writer that appends <paramref name="eventsPerAppend"/> events per call to a stream of its own.</summary>
    IAppendWriter CreateWriter(int writerIndex, int eventsPerAppend);

    /// <summary>Reads the whole global log from the start, page by page; returns how many events it read.</summary>
    Task<long> ReadWholeLogAsync(int pageSize, CancellationToken cancellationToken);
}

internal interface IAppendWriter
{
    /// <summary>One append call: one durable commit.</summary>
    Task AppendAsync(CancellationToken cancellationToken);
}
