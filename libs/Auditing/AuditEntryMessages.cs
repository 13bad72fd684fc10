using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.EventStore;

namespace Chronicle.Auditing;

/// <summary>
/// An audit entry as it travels to the Audit service: the <c>chronicle.audit.entry-recorded.v1</c> integration event,
/// made from the entries a service's <see cref="EventStoreAuditTrail"/> wrote to its outbox stream.
/// </summary>
public static class AuditEntryMessages
{
    /// <summary>The integration event announcing an outbox entry; none for any other stored event.</summary>
    public static IEnumerable<object> Map(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return recorded.StreamId == EventStoreAuditTrail.OutboxStream && recorded.EventType == EventStoreAuditTrail.EventType
            ? [ToIntegrationEvent(EventStoreAuditTrail.Read(recorded))]
            : [];
    }

    public static AuditIntegrationEventsV1.AuditEntryRecorded ToIntegrationEvent(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new AuditIntegrationEventsV1.AuditEntryRecorded(entry.EntryId, entry.OccurredAt, entry.Service,
            entry.UserId, entry.Role, entry.OrganisationOds, entry.ClientId, entry.OnBehalfOf,
            entry.PatientId, entry.Action.ToString(), entry.ResourceType, entry.ResourceId, entry.Query,
            entry.Outcome, entry.CorrelationId, entry.BreakGlass, entry.BreakGlassReason, entry.AccessGrounds);
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
