using Chronicle.Contracts.IntegrationEvents;

namespace Chronicle.Messaging.Receiving;

/// <summary>
/// One handler of one integration event type, resolved from the delivery's DI scope. A handler that takes batches has
/// <see cref="InvokeBatch"/>; a single delivery reaches it as a batch of one.
/// </summary>
internal sealed record HandlerRegistration(
    IntegrationEventType EventType,
    Func<IServiceProvider, object, IncomingEventContext, CancellationToken, Task>? Invoke,
    Func<IServiceProvider, IReadOnlyList<IncomingBatchItem>, IncomingBatchContext, CancellationToken, Task>? InvokeBatch = null);

/// <summary>
/// Dapr bulk subscribe for a topic (TopicSubscription.bulk_subscribe): the sidecar hands the app up to
/// <see cref="MaxMessagesCount"/> events per OnBulkTopicEventAlpha1 call, waiting at most <see cref="MaxAwaitDurationMs"/>
/// to fill one. Dapr's defaults are 100 messages and 1000 ms.
/// </summary>
public sealed record BulkSubscribeOptions(int MaxMessagesCount = 100, int MaxAwaitDurationMs = 1000)
{
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessagesCount, 1, nameof(MaxMessagesCount));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxAwaitDurationMs, nameof(MaxAwaitDurationMs));
    }
}

/// <summary>A topic the app subscribes to (on its one pub/sub component) and its handlers by CloudEvent type.</summary>
internal sealed class TopicHandlers(string topic)
{
    public string Topic { get; } = topic;
    public Dictionary<string, HandlerRegistration> Handlers { get; } = new(StringComparer.Ordinal);
    public BulkSubscribeOptions? Bulk { get; set; }
}

/// <summary>Every subscription the app declares, built while services are registered.</summary>
public sealed class SubscriptionTable
{
    private readonly Dictionary<string, TopicHandlers> _subscriptions = new(StringComparer.Ordinal);

    internal IReadOnlyCollection<TopicHandlers> Subscriptions => _subscriptions.Values;

    internal void Add(HandlerRegistration handler)
    {
        var subscription = Topic(handler.EventType.Topic);
        if (!subscription.Handlers.TryAdd(handler.EventType.Name, handler))
            throw new InvalidOperationException($"{handler.EventType.Name} already has a handler on topic '{subscription.Topic}'.");
    }

    internal void EnableBulk(string topic, BulkSubscribeOptions options)
    {
        options.Validate();
        Topic(topic).Bulk = options;
    }

    internal bool TryGet(string topic, out TopicHandlers subscription) => _subscriptions.TryGetValue(topic, out subscription!);

    private TopicHandlers Topic(string topic)
    {
        if (!_subscriptions.TryGetValue(topic, out var subscription))
            _subscriptions.Add(topic, subscription = new TopicHandlers(topic));
        return subscription;
    }
}
