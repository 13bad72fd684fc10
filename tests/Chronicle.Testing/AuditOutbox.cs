using Chronicle.Auditing;
using Chronicle.EventStore;

namespace Chronicle.Testing;

/// <summary>The audit entries a service has made durable in its own store (<see cref="EventStoreAuditTrail.OutboxStream"/>).</summary>
public static class AuditOutbox
{
    /// <summary>Every entry, oldest first, page after page.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> ReadAsync(IEventStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var entries = new List<AuditEntry>();
        var options = StreamReadOptions.Forwards;
        while (true)
        {
            var page = await store.ReadStreamAsync(EventStoreAuditTrail.OutboxStream, options, cancellationToken).ConfigureAwait(false);
            entries.AddRange(page.Select(EventStoreAuditTrail.Read));
            if (page.Count < options.MaxCount)
                return entries;
            options = options with { FromVersion = page[^1].StreamVersion + 1 };
        }
    }
}
