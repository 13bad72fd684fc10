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

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}

/// <summary>Chains each <c>chronicle.audit.entry-recorded.v1</c> delivered from another service's outbox.</summary>
public sealed class AuditEntryRecordedHandler(AuditIngestor ingestor) : IIntegrationEventHandler<AuditIntegrationEventsV1.AuditEntryRecorded>
{
    public Task HandleAsync(AuditIntegrationEventsV1.AuditEntryRecorded integrationEvent, IncomingEventContext context, CancellationToken cancellationToken)
    {
        AuditEntry entry;
        try
        {
            entry = AuditEntryMessages.FromIntegrationEvent(integrationEvent);
        }
        catch (FormatException e)
        {
            throw new InvalidIntegrationEventException(e.Message);
        }

        return ingestor.AppendAsync(entry, cancellationToken);
    }
}

/// <summary>The Audit service's own audit trail: its uses (queries, replays, verifications, refusals) go straight into its chain.</summary>
public sealed class SelfAuditTrail(AuditIngestor ingestor) : IAuditTrail
{
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default) => ingestor.AppendAsync(entry, cancellationToken);
}
