namespace Chronicle.EventStore;

/// <summary>Reading a whole stream (or the rest of it from a version on), page by page.</summary>
public static class StreamReads
{
    private const int PageSize = 1000;

    /// <summary>
    /// Every event of a stream from <paramref name="fromVersion"/> on, oldest first, optionally as the stream stood at a
    /// point of the log or a time.
    /// </summary>
    public static async Task<IReadOnlyList<RecordedEvent>> ReadWholeStreamAsync(this IEventStore store, string streamId,
        LogPosition? asOf = null, DateTimeOffset? asOfTime = null, long fromVersion = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var events = new List<RecordedEvent>();
        while (true)
        {
            var page = await store.ReadStreamAsync(streamId,
                new StreamReadOptions { FromVersion = fromVersion + events.Count, MaxCount = PageSize, AsOf = asOf, AsOfTime = asOfTime },
                cancellationToken).ConfigureAwait(false);
            events.AddRange(page);
            if (page.Count < PageSize)
                return events;
        }
    }
}
