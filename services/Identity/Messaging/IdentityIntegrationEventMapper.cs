using Chronicle.EventStore;
using Chronicle.Messaging.Publishing;

namespace Chronicle.Identity.Messaging;

/// <summary>
/// What Identity publishes from its event store: each change to who may reach which patients (<see cref="AccessChanges"/>),
/// on the Identity topic, for the services that reuse access answers. Its audit entries leave by auditing's own mapping.
/// </summary>
public sealed class IdentityIntegrationEventMapper : IIntegrationEventMapper
{
    public IEnumerable<object> Map(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return recorded.StreamId == AccessChanges.Stream ? AccessChanges.Map(recorded) : [];
    }
}
