using System.Threading.Channels;
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
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public EventStoreAuditTrail(IEventStore store, ILogger<EventStoreAuditTrail>? logger = null)
    {
        _store = store;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var pending = new Pending(entry);
        if (!_pending.Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(EventStoreAuditTrail), "The audit trail is closed: the request cannot be audited.");
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Reads an entry back from an outbox event (for the relay).</summary>
    public static AuditEntry Read(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        using var document = System.Text.Json.JsonDocument.Parse(recorded.Data);
        return AuditCanonicalForm.Read(document.RootElement);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var ids = new HashSet<Guid>();
            while (batch.Count < MaxBatch && _pending.Reader.TryPeek(out var next) && (ids.Add(next.Entry.EntryId) || batch.Count == 0))
            {
                _pending.Reader.TryRead(out _);
                batch.Add(next);
            }

            try
            {
                await _store.AppendAsync(OutboxStream, ExpectedVersion.Any,
                    batch.Select(p => new EventData(p.Entry.EntryId, EventType, AuditCanonicalForm.ToBytes(p.Entry), Metadata)).ToList())
                    .ConfigureAwait(false);
                foreach (var pending in batch)
                    pending.Done.TrySetResult();
            }
            catch (Exception error)
            {
                // The request must not be answered as if audited: every caller in the batch gets the failure.
                _logger?.LogError(error, "Could not make {Count} audit entries durable", batch.Count);
                foreach (var pending in batch)
                    pending.Done.TrySetException(error);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private sealed record Pending(AuditEntry Entry)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
