using Chronicle.EventStore;
using Chronicle.Record.Domain;

namespace Chronicle.Record.Application;

/// <summary>The streams the record service writes, and reading one whole (or from a version on).</summary>
internal static class RecordStreams
{
    private const int PageSize = 1000;

    public static string NhsNumberReservation(NhsNumber nhsNumber) => $"nhs-number-{nhsNumber.Value}";

    /// <summary>
    /// Every event of a stream from <paramref name="fromVersion"/> on, oldest first, optionally as the stream stood at a
    /// point of the log or a time.
    /// </summary>
    public static async Task<IReadOnlyList<RecordedEvent>> ReadWholeStreamAsync(this IEventStore store, string streamId,
        LogPosition? asOf = null, DateTimeOffset? asOfTime = null, long fromVersion = 0, CancellationToken cancellationToken = default)
    {
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
