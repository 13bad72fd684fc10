using Chronicle.Audit.Chain;
using Chronicle.Auditing;
using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.Messaging.Receiving;

namespace Chronicle.Audit.Ingestion;

/// <summary>
/// The one way entries enter the chain: delivered entries from every service and the Audit service's own. Entries that
/// arrive together are chained in one append (<see cref="GroupCommit{T, TKey}"/>); an entry already chained is
/// recognised by its id and not chained again, so redelivery after any failure is harmless.
/// </summary>
public sealed class AuditIngestor : IAsyncDisposable
{
    public const int MaxBatch = 500;
    private readonly GroupCommit<AuditEntry, Guid> _writer;

    public AuditIngestor(AuditLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        _writer = new GroupCommit<AuditEntry, Guid>(async batch => await log.AppendAsync(batch).ConfigureAwait(false), e => e.EntryId, MaxBatch);
    }

    /// <summary>Completes once the entry is chained (now, or at an earlier delivery).</summary>
    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default) => _writer.WriteAsync(entry, cancellationToken);

    /// <summary>Completes once every entry is chained; entries handed in together go into the same append (up to <see cref="MaxBatch"/>).</summary>
    public Task AppendAllAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return _writer.WriteAllAsync(entries, cancellationToken);
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}

/// <summary>
/// Chains the <c>chronicle.audit.entry-recorded.v1</c> events delivered from other services' outboxes, a bulk at a time:
/// one inbox transaction and one chain append for the whole bulk. An entry that cannot be read is refused alone.
/// </summary>
public sealed class AuditEntryRecordedHandler(AuditIngestor ingestor) : IIntegrationEventBatchHandler<AuditIntegrationEventsV1.AuditEntryRecorded>
{
    /// <summary>The audit topic's bulk subscribe: a bulk fills the chain's largest append, and a lone entry waits at most 100 ms.</summary>
    public static BulkSubscribeOptions Bulk { get; } = new(MaxMessagesCount: AuditIngestor.MaxBatch, MaxAwaitDurationMs: 100);

    public async Task HandleBatchAsync(IReadOnlyList<BatchedEvent<AuditIntegrationEventsV1.AuditEntryRecorded>> batch, IncomingBatchContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var entries = new List<AuditEntry>(batch.Count);
        foreach (var delivered in batch)
        {
            try
            {
                entries.Add(AuditEntryMessages.FromIntegrationEvent(delivered.Event));
            }
            catch (FormatException e)
            {
                delivered.Refuse(e.Message);
            }
        }

        if (entries.Count > 0)
            await ingestor.AppendAllAsync(entries, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The Audit service's own audit trail: its uses (queries, replays, verifications, refusals) go straight into its chain.</summary>
public sealed class SelfAuditTrail(AuditIngestor ingestor) : IAuditTrail
{
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default) => ingestor.AppendAsync(entry, cancellationToken);
}
