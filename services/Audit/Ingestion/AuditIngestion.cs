using Chronicle.Audit.Chain;
using Chronicle.Auditing;
using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.Messaging.Receiving;
using Microsoft.Extensions.Logging;

namespace Chronicle.Audit.Ingestion;

/// <summary>
/// The one way entries enter the chain: delivered entries from every service and the Audit service's own, each signed by
/// its emitter. Entries that arrive together are chained in one append (<see cref="GroupCommit{T, TKey}"/>); an entry already chained is
/// recognised by its id and not chained again, so redelivery after any failure is harmless.
/// </summary>
public sealed class AuditIngestor : IAsyncDisposable
{
    public const int MaxBatch = 500;
    private readonly GroupCommit<SignedAuditEntry, Guid> _writer;

    public AuditIngestor(AuditLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        _writer = new GroupCommit<SignedAuditEntry, Guid>(async batch => await log.AppendAsync(batch).ConfigureAwait(false), e => e.Entry.EntryId, MaxBatch);
    }

    /// <summary>Completes once the entry is chained (now, or at an earlier delivery).</summary>
    public Task AppendAsync(SignedAuditEntry entry, CancellationToken cancellationToken = default) => _writer.WriteAsync(entry, cancellationToken);

    /// <summary>Completes once every entry is chained; entries handed in together go into the same append (up to <see cref="MaxBatch"/>).</summary>
    public Task AppendAllAsync(IReadOnlyList<SignedAuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return _writer.WriteAllAsync(entries, cancellationToken);
    }

    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}

/// <summary>
/// Chains the <c>chronicle.audit.entry-recorded.v1</c> events delivered from other services' outboxes, a bulk at a time:
/// one inbox transaction and one chain append for the whole bulk. Each entry must carry a valid signature by a key of the
/// service it names (<see cref="AuditEmitterKeys"/>); an entry that is unsigned, signed by an unknown key or another
/// service's, or altered after signing, is refused alone (dead-lettered with the reason, and a warning logged) and never
/// reaches the chain. So is one that cannot be read.
/// </summary>
public sealed partial class AuditEntryRecordedHandler(AuditIngestor ingestor, AuditEmitterKeys emitters, ILogger<AuditEntryRecordedHandler> logger)
    : IIntegrationEventBatchHandler<AuditIntegrationEventsV1.AuditEntryRecorded>
{
    /// <summary>The audit topic's bulk subscribe: a bulk fills the chain's largest append, and a lone entry waits at most 100 ms.</summary>
    public static BulkSubscribeOptions Bulk { get; } = new(MaxMessagesCount: AuditIngestor.MaxBatch, MaxAwaitDurationMs: 100);

    public async Task HandleBatchAsync(IReadOnlyList<BatchedEvent<AuditIntegrationEventsV1.AuditEntryRecorded>> batch, IncomingBatchContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var entries = new List<SignedAuditEntry>(batch.Count);
        foreach (var delivered in batch)
        {
            AuditEntry entry;
            try
            {
                entry = AuditEntryMessages.FromIntegrationEvent(delivered.Event);
            }
            catch (FormatException e)
            {
                delivered.Refuse(e.Message);
                continue;
            }

            var signature = AuditEntryMessages.SignatureOf(delivered.Event);
            if (emitters.Check(entry, signature) is { } problem)
            {
                LogRefused(logger, entry.EntryId, entry.Service, delivered.Source, problem);
                delivered.Refuse($"Audit entry {entry.EntryId} refused: {problem}.");
                continue;
            }

            entries.Add(new SignedAuditEntry(entry, signature!));
        }

        if (entries.Count > 0)
            await ingestor.AppendAllAsync(entries, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Audit entry {EntryId} claiming service '{Service}' (CloudEvent source '{Source}') was refused and not chained: {Problem}. " +
                  "A forgery, or an emitter whose public key is not configured (Chronicle:Audit:Emitters)")]
    private static partial void LogRefused(ILogger logger, Guid entryId, string service, string source, string problem);
}

/// <summary>
/// The Audit service's own audit trail: its uses (queries, replays, verifications, refusals) go straight into its chain,
/// signed with its own key like any emitter's, so the verifier holds them to the same rule and nothing in the chain is
/// trusted for where it sits.
/// </summary>
public sealed class SelfAuditTrail(AuditIngestor ingestor, AuditSigningKey signingKey) : IAuditTrail
{
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        ingestor.AppendAsync(signingKey.Sign(entry), cancellationToken);
}
