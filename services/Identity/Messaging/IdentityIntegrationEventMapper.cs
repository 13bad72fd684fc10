using Chronicle.Auditing;
using Chronicle.EventStore;
using Chronicle.Messaging.Publishing;

namespace Chronicle.Identity.Messaging;

/// <summary>
/// What Identity publishes from its event store: each audit entry of its outbox stream, on the audit topic, for the
/// Audit service to chain, signed with Identity's own key; and each change to who may reach which patients
/// (<see cref="AccessChanges"/>), on the Identity topic, for the services that reuse access answers.
/// </summary>
public sealed class IdentityIntegrationEventMapper(AuditSigningKey auditSigningKey) : IIntegrationEventMapper
{
    public IEnumerable<object> Map(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return recorded.StreamId == AccessChanges.Stream ? AccessChanges.Map(recorded) : AuditEntryMessages.Map(recorded, auditSigningKey);
    }
}
