using Chronicle.Contracts.IntegrationEvents;

namespace Chronicle.Messaging.Publishing;

/// <summary>
/// A CloudEvent ready to publish: <see cref="Id"/>, <see cref="Source"/> and <see cref="Type"/> become the CloudEvent's
/// attributes and <see cref="Data"/> its body (UTF-8 JSON for integration events).
/// </summary>
public sealed record OutgoingEvent(
    string PubSubName, string Topic, string Id, string Source, string Type, string DataContentType, byte[] Data)
{
    public const string JsonContentType = "application/json";

    /// <summary>The W3C trace context the event carries to its consumers (the CloudEvent's <c>traceparent</c>), if any.</summary>
    public string? TraceParent { get; init; }

    /// <summary>An integration event serialised through its catalog, published to the topic its contract names.</summary>
    public static OutgoingEvent For(IntegrationEventCatalog catalog, object integrationEvent, string id, string source, string pubSubName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var (type, data) = catalog.Serialize(integrationEvent);
        return new OutgoingEvent(pubSubName, type.Topic, id, source, type.Name, JsonContentType, data);
    }
}

/// <summary>
/// Publishes CloudEvents. A returned task means the transport has accepted the event and will deliver it at least once;
/// a thrown exception means it may not have, and the caller publishes it again. Under Dapr this is
/// <c>DaprClient.PublishByteEventAsync</c>; under the direct transport, the durable direct broker.
/// </summary>
public interface IEventPublisher
{
    Task PublishAsync(OutgoingEvent outgoing, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes several events, in one call where the transport can (Dapr's BulkPublishEvent). A returned task means
    /// every one was accepted; a <see cref="PartialPublishException"/> names those that were, and any other exception
    /// means some may not have been: the caller publishes the rest (or all) again with the same CloudEvent ids.
    /// </summary>
    async Task PublishAllAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var outgoing in events)
            await PublishAsync(outgoing, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Some events of a bulk publish were accepted and others were not; only the others need publishing again.</summary>
public sealed class PartialPublishException(IReadOnlyCollection<string> acceptedIds, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>The CloudEvent ids the transport accepted.</summary>
    public IReadOnlyCollection<string> AcceptedIds { get; } = acceptedIds;
}
