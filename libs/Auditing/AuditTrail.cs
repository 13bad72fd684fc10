using Chronicle.EventStore;
using Microsoft.Extensions.Logging;

namespace Chronicle.Auditing;

/// <summary>Makes an audit entry durable. Returns once it is; the caller answers its request only after that.</summary>
public interface IAuditTrail
{
    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default);
}

/// <summary>
/// The audit trail of one service: entries are appended to the service's own event store, stream
/// <see cref="OutboxStream"/>, from where the relay publishes them to the Audit service. The store is the outbox, so
/// an entry acknowledged here survives a crash and reaches the Audit service at least once; the entry id is the
/// event id, so a retried write never stores it twice.
/// <para>
/// Requests answered at the same moment share one append: a single writer takes every entry waiting (up to
/// <see cref="MaxBatch"/>) into one durable write, which keeps the cost per read small under load.
/// </para>
/// </summary>
public sealed class EventStoreAuditTrail : IAuditTrail, IAsyncDisposable
{
    public const string OutboxStream = "audit-outbox";
    public const string EventType = "V1.AuditEntryRecorded";
    public const int MaxBatch = 500;

    private static readonly EventMetadata Metadata = new() { ClientId = "chronicle-audit-trail" };
    private readonly IEventStore _store;
    private readonly ILogger? _logger;
    private readonly GroupCommit<AuditEntry, Guid> _writer;

    public EventStoreAuditTrail(IEventStore store, ILogger<EventStoreAuditTrail>? logger = null)
    {
        _store = store;
        _logger = logger;
        // An entry id repeated within one append would be refused by the store: it waits for the next append.
        _writer = new GroupCommit<AuditEntry, Guid>(AppendAsync, entry => entry.EntryId, MaxBatch);
    }

    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            return _writer.WriteAsync(entry, cancellationToken);
        }
        catch (ObjectDisposedException e)
        {
            throw new ObjectDisposedException("The audit trail is closed: the request cannot be audited.", e);
        }
    }

    /// <summary>Reads an entry back from an outbox event (for the relay).</summary>
    public static AuditEntry Read(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        using var document = System.Text.Json.JsonDocument.Parse(recorded.Data);
        return AuditCanonicalForm.Read(document.RootElement);
    }

    private async Task AppendAsync(IReadOnlyList<AuditEntry> batch)
    {
        try
        {
            await _store.AppendAsync(OutboxStream, ExpectedVersion.Any,
                batch.Select(e => new EventData(e.EntryId, EventType, AuditCanonicalForm.ToBytes(e), Metadata)).ToList()).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            // The request must not be answered as if audited: every caller in the batch gets the failure.
            _logger?.LogError(error, "Could not make {Count} audit entries durable", batch.Count);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
