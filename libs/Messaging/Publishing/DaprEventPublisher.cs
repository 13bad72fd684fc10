using Dapr.Client;

namespace Chronicle.Messaging.Publishing;

/// <summary>
/// Publishes through the Dapr sidecar. The body goes as the bytes already serialised (source-generated JSON), and the
/// CloudEvent's id, source and type are set through Dapr's "cloudevent.*" publish metadata, so the id a consumer
/// deduplicates on is the deterministic one chosen here, not one the sidecar makes up.
/// </summary>
public sealed class DaprEventPublisher(DaprClient dapr) : IEventPublisher
{
    public Task PublishAsync(OutgoingEvent outgoing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cloudevent.id"] = outgoing.Id,
            ["cloudevent.source"] = outgoing.Source,
            ["cloudevent.type"] = outgoing.Type,
        };
        return dapr.PublishByteEventAsync(outgoing.PubSubName, outgoing.Topic, outgoing.Data, outgoing.DataContentType,
            metadata, cancellationToken);
    }
}
