using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.EventStore;
using Chronicle.Messaging.Publishing;

namespace Chronicle.Auditing;

/// <summary>
/// An audit entry as it travels to the Audit service: the <c>chronicle.audit.entry-recorded.v1</c> integration event,
/// made from the entries a service's <see cref="EventStoreAuditTrail"/> wrote to its outbox stream, signed with the
/// service's <see cref="AuditSigningKey"/> as they leave. Signing at the relay keeps it off the request path, and entries
/// written to an outbox before signing existed are signed as they leave too.
/// </summary>
public static class AuditEntryMessages
{
    /// <summary>The signed integration event announcing an outbox entry; none for any other stored event.</summary>
    public static IEnumerable<object> Map(RecordedEvent recorded, AuditSigningKey signingKey)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(signingKey);
        return recorded.StreamId == EventStoreAuditTrail.OutboxStream && recorded.EventType == EventStoreAuditTrail.EventType
            ? [ToIntegrationEvent(signingKey.Sign(EventStoreAuditTrail.Read(recorded)))]
            : [];
    }

    public static AuditIntegrationEventsV1.AuditEntryRecorded ToIntegrationEvent(SignedAuditEntry signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        var entry = signed.Entry;
        return new AuditIntegrationEventsV1.AuditEntryRecorded(entry.EntryId, entry.OccurredAt, entry.Service,
            entry.UserId, entry.Role, entry.OrganisationOds, entry.ClientId, entry.OnBehalfOf,
            entry.PatientId, entry.Action.ToString(), entry.ResourceType, entry.ResourceId, entry.Query,
            entry.Outcome, entry.CorrelationId, entry.BreakGlass, entry.BreakGlassReason, entry.AccessGrounds,
            signed.Signature.KeyId, signed.Signature.Value);
    }

    /// <summary>The emitter's signature the event carries; null when it carries none (or half of one).</summary>
    public static AuditEntrySignature? SignatureOf(AuditIntegrationEventsV1.AuditEntryRecorded recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return string.IsNullOrEmpty(recorded.KeyId) || string.IsNullOrEmpty(recorded.Signature)
            ? null
            : new AuditEntrySignature(recorded.KeyId, recorded.Signature);
    }

    /// <exception cref="FormatException">The event names an action this version does not know.</exception>
    public static AuditEntry FromIntegrationEvent(AuditIntegrationEventsV1.AuditEntryRecorded recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!Enum.TryParse<AuditAction>(recorded.Action, ignoreCase: false, out var action) || !Enum.IsDefined(action))
            throw new FormatException($"'{recorded.Action}' is not an audit action.");
        return new AuditEntry
        {
            EntryId = recorded.EntryId,
            // The canonical form keeps ticks: an entry chained twice from two deliveries must hash the same.
            OccurredAt = recorded.OccurredAt.ToUniversalTime(),
            Service = recorded.Service,
            UserId = recorded.UserId,
            Role = recorded.Role,
            OrganisationOds = recorded.OrganisationOds,
            ClientId = recorded.ClientId,
            OnBehalfOf = recorded.OnBehalfOf,
            PatientId = recorded.PatientId,
            Action = action,
            ResourceType = recorded.ResourceType,
            ResourceId = recorded.ResourceId,
            Query = recorded.Query,
            Outcome = recorded.Outcome,
            CorrelationId = recorded.CorrelationId,
            BreakGlass = recorded.BreakGlass,
            BreakGlassReason = recorded.BreakGlassReason,
            AccessGrounds = recorded.AccessGrounds,
        };
    }
}

/// <summary>
/// The audit outbox's part of a service's outbox relay, registered by auditing itself, so no service's own mapper
/// mentions the audit outbox: each entry leaves as a signed <c>chronicle.audit.entry-recorded.v1</c>.
/// </summary>
internal sealed class AuditOutboxMapper(IServiceProvider services) : IIntegrationEventMapper
{
    // Resolved on first use: a service that relays no outbox (the Audit service chains its own entries) needs no key.
    private AuditSigningKey? _key;

    public IEnumerable<object> Map(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (recorded.StreamId != EventStoreAuditTrail.OutboxStream)
            return [];
        _key ??= services.GetService(typeof(AuditSigningKey)) as AuditSigningKey
            ?? throw new InvalidOperationException("The audit outbox is relayed but no audit signing key is registered (AddAuditSigning).");
        return AuditEntryMessages.Map(recorded, _key);
    }
}
