using System.Diagnostics;
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

    private const string ClientId = "chronicle-audit-trail";
    private readonly IEventStore _store;
    private readonly ILogger? _logger;
    private readonly GroupCommit<PendingEntry, Guid> _writer;

    public EventStoreAuditTrail(IEventStore store, ILogger<EventStoreAuditTrail>? logger = null)
    {
        _store = store;
        _logger = logger;
        // An entry id repeated within one append would be refused by the store: it waits for the next append.
        _writer = new GroupCommit<PendingEntry, Guid>(AppendAsync, pending => pending.Entry.EntryId, MaxBatch);
    }

    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            // The request's trace goes with its entry, so the relay's publish and the Audit service's chaining of it are
            // in the same trace as the request; a retried write of the entry carries the same one.
            return _writer.WriteAsync(new PendingEntry(entry, Activity.Current?.Id), cancellationToken);
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

    private async Task AppendAsync(IReadOnlyList<PendingEntry> batch)
    {
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            await _store.AppendAsync(OutboxStream, ExpectedVersion.Any, batch.Select(pending => new EventData(pending.Entry.EntryId, EventType,
                AuditCanonicalForm.ToBytes(pending.Entry), new EventMetadata { ClientId = ClientId, TraceParent = pending.TraceParent })).ToList())
                .ConfigureAwait(false);
            AuditingTelemetry.RecordFlush(startedAt, batch.Count, succeeded: true);
        }
        catch (Exception error)
        {
            AuditingTelemetry.RecordFlush(startedAt, batch.Count, succeeded: false);
            // The request must not be answered as if audited: every caller in the batch gets the failure.
            _logger?.LogError(error, "Could not make {Count} audit entries durable", batch.Count);
            throw;
        }
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private sealed record PendingEntry(AuditEntry Entry, string? TraceParent);
}
