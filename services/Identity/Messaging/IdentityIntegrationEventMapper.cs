using Chronicle.Auditing;
using Chronicle.EventStore;
using Chronicle.Messaging.Publishing;

namespace Chronicle.Identity.Messaging;

/// <summary>
/// What Identity publishes from its event store: each audit entry of its outbox stream, on the audit topic, for the
/// Audit service to chain, signed with Identity's own key. Its store holds nothing else yet.
/// </summary>
public sealed class IdentityIntegrationEventMapper(AuditSigningKey auditSigningKey) : IIntegrationEventMapper
{
    public IEnumerable<object> Map(RecordedEvent recorded) => AuditEntryMessages.Map(recorded, auditSigningKey);
}
