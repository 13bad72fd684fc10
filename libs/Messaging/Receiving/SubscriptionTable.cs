using Chronicle.Contracts.IntegrationEvents;

namespace Chronicle.Messaging.Receiving;

/// <summary>One handler of one integration event type, resolved from the delivery's DI scope.</summary>
internal sealed record HandlerRegistration(
    IntegrationEventType EventType,
    Func<IServiceProvider, object, IncomingEventContext, CancellationToken, Task> Invoke);

/// <summary>A topic the app subscribes to (on its one pub/sub component) and its handlers by CloudEvent type.</summary>
internal sealed class TopicHandlers(string topic)
{
    public string Topic { get; } = topic;
    public Dictionary<string, HandlerRegistration> Handlers { get; } = new(StringComparer.Ordinal);
}

/// <summary>Every subscription the app declares, built while services are registered.</summary>
public sealed class SubscriptionTable
{
    private readonly Dictionary<string, TopicHandlers> _subscriptions = new(StringComparer.Ordinal);

    internal IReadOnlyCollection<TopicHandlers> Subscriptions => _subscriptions.Values;

    internal void Add(HandlerRegistration handler)
    {
        var topic = handler.EventType.Topic;
        if (!_subscriptions.TryGetValue(topic, out var subscription))
            _subscriptions.Add(topic, subscription = new TopicHandlers(topic));
        if (!subscription.Handlers.TryAdd(handler.EventType.Name, handler))
            throw new InvalidOperationException($"{handler.EventType.Name} already has a handler on topic '{topic}'.");
    }

    internal bool TryGet(string topic, out TopicHandlers subscription) => _subscriptions.TryGetValue(topic, out subscription!);
}
