using Chronicle.Contracts.IntegrationEvents.Audit;
using System.Text.Json;
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

    /// <summary>The wire event: the entry's own JSON (its one shape), with the emitter's signature beside it.</summary>
    public static AuditIntegrationEventsV1.AuditEntryRecorded ToIntegrationEvent(SignedAuditEntry signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        var recorded = JsonSerializer.Deserialize(AuditCanonicalForm.ToBytes(signed.Entry), AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)
            ?? throw new InvalidOperationException("An audit entry did not read as its integration event.");
        return recorded with { KeyId = signed.Signature.KeyId, Signature = signed.Signature.Value };
    }

    /// <summary>The emitter's signature the event carries; null when it carries none (or half of one).</summary>
    public static AuditEntrySignature? SignatureOf(AuditIntegrationEventsV1.AuditEntryRecorded recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return string.IsNullOrEmpty(recorded.KeyId) || string.IsNullOrEmpty(recorded.Signature)
            ? null
            : new AuditEntrySignature(recorded.KeyId, recorded.Signature);
    }

    /// <summary>The entry a wire event carries: the same JSON read as the entry (the signature beside it is left out).</summary>
    /// <exception cref="FormatException">The event names an action this version does not know.</exception>
    public static AuditEntry FromIntegrationEvent(AuditIntegrationEventsV1.AuditEntryRecorded recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!Enum.TryParse<AuditAction>(recorded.Action, ignoreCase: false, out var action) || !Enum.IsDefined(action) || !recorded.Action.All(char.IsAsciiLetter))
            throw new FormatException($"'{recorded.Action}' is not an audit action.");
        // The canonical form keeps ticks, in UTC: an entry chained twice from two deliveries must hash the same.
        return AuditCanonicalForm.Read(JsonSerializer.SerializeToUtf8Bytes(recorded, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded));
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
