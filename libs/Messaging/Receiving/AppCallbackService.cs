using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Chronicle.Messaging.Receiving;

/// <summary>
/// Dapr's app callback contract, served on the app's gRPC port: the sidecar (or the direct transport, which calls it the
/// same way) asks which topics the app subscribes to and hands it each event. Service invocation does not come through
/// here: with the dapr-app-id header the sidecar proxies the caller's own gRPC call to the app's own gRPC services.
/// </summary>
public sealed class AppCallbackService(IncomingEventDispatcher dispatcher, SubscriptionTable subscriptions,
    IOptions<MessagingOptions> options) : AppCallback.AppCallbackBase
{
    public override Task<ListTopicSubscriptionsResponse> ListTopicSubscriptions(Empty request, ServerCallContext context)
    {
        AppApiToken.Require(options.Value, context);
        var response = new ListTopicSubscriptionsResponse();
        foreach (var subscription in subscriptions.Subscriptions)
        {
            response.Subscriptions.Add(new TopicSubscription
            {
                PubsubName = options.Value.PubSubName,
                Topic = subscription.Topic,
                DeadLetterTopic = subscription.Topic == options.Value.DeadLetterTopic ? "" : options.Value.DeadLetterTopic,
                BulkSubscribe = subscription.Bulk is { } bulk
                    ? new BulkSubscribeConfig { Enabled = true, MaxMessagesCount = bulk.MaxMessagesCount, MaxAwaitDurationMs = bulk.MaxAwaitDurationMs }
                    : null,
            });
        }

        return Task.FromResult(response);
    }

    public override async Task<TopicEventResponse> OnTopicEvent(TopicEventRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        AppApiToken.Require(options.Value, context);
        var incoming = new IncomingEvent(request.PubsubName, request.Topic, request.Id, request.Source, request.Type,
            request.SpecVersion, request.DataContentType, request.Data.ToByteArray())
        {
            TraceParent = MessagingTelemetry.TraceParentOf(request.Extensions),
        };
        var outcome = await dispatcher.DispatchAsync(incoming, context.CancellationToken).ConfigureAwait(false);
        return new TopicEventResponse { Status = BulkTopicEvents.StatusOf(outcome) };
    }

    /// <summary>Bulk subscribe's stable callback; older sidecars call <see cref="AppCallbackAlphaService"/> instead.</summary>
    public override Task<TopicEventBulkResponse> OnBulkTopicEvent(TopicEventBulkRequest request, ServerCallContext context) =>
        BulkTopicEvents.DeliverAsync(dispatcher, options.Value, request, context);

    public override Task<ListInputBindingsResponse> ListInputBindings(Empty request, ServerCallContext context) =>
        Task.FromResult(new ListInputBindingsResponse());
}

/// <summary>
/// Dapr's alpha app callback: bulk subscribe. The sidecar calls OnBulkTopicEventAlpha1 (or, in newer sidecars, the stable
/// AppCallback.OnBulkTopicEvent first, which <see cref="AppCallbackService"/> answers the same way) with up to the
/// subscription's max_messages_count events and acts on each entry's status: SUCCESS and DROP settle it, RETRY redelivers
/// that entry alone.
/// </summary>
public sealed class AppCallbackAlphaService(IncomingEventDispatcher dispatcher, IOptions<MessagingOptions> options)
    : AppCallbackAlpha.AppCallbackAlphaBase
{
    [Obsolete("Dapr's stable name is AppCallback.OnBulkTopicEvent; sidecars before it call this one.")]
    public override Task<TopicEventBulkResponse> OnBulkTopicEventAlpha1(TopicEventBulkRequest request, ServerCallContext context) =>
        BulkTopicEvents.DeliverAsync(dispatcher, options.Value, request, context);
}

internal static class BulkTopicEvents
{
    public static async Task<TopicEventBulkResponse> DeliverAsync(IncomingEventDispatcher dispatcher, MessagingOptions options,
        TopicEventBulkRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        AppApiToken.Require(options, context);
        var entries = request.Entries.Select(entry => ToIncoming(request, entry)).ToList();
        var outcomes = await dispatcher.DispatchBulkAsync(entries, context.CancellationToken).ConfigureAwait(false);
        var response = new TopicEventBulkResponse();
        for (var i = 0; i < outcomes.Count; i++)
            response.Statuses.Add(new TopicEventBulkResponseEntry { EntryId = request.Entries[i].EntryId, Status = StatusOf(outcomes[i]) });
        return response;
    }

    public static TopicEventResponse.Types.TopicEventResponseStatus StatusOf(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Success => TopicEventResponse.Types.TopicEventResponseStatus.Success,
        DeliveryOutcome.Retry => TopicEventResponse.Types.TopicEventResponseStatus.Retry,
        _ => TopicEventResponse.Types.TopicEventResponseStatus.Drop,
    };

    // The sidecar sends a CloudEvent as cloud_event; raw bytes come only from raw-payload subscriptions, which Chronicle
    // never declares, and without an id they are refused as poison.
    private static IncomingEvent ToIncoming(TopicEventBulkRequest request, TopicEventBulkRequestEntry entry) =>
        entry.CloudEvent is { } cloudEvent
            ? new IncomingEvent(request.PubsubName, request.Topic, cloudEvent.Id, cloudEvent.Source, cloudEvent.Type, cloudEvent.SpecVersion,
                cloudEvent.DataContentType, cloudEvent.Data.ToByteArray()) { TraceParent = MessagingTelemetry.TraceParentOf(cloudEvent.Extensions) }
            : new IncomingEvent(request.PubsubName, request.Topic, "", "", request.Type, "", entry.ContentType, entry.Bytes.ToByteArray());
}

/// <summary>Answers the sidecar's app health probe (app-health-check over gRPC).</summary>
public sealed class AppCallbackHealthCheckService(IOptions<MessagingOptions> options) : AppCallbackHealthCheck.AppCallbackHealthCheckBase
{
    public override Task<HealthCheckResponse> HealthCheck(Empty request, ServerCallContext context)
    {
        AppApiToken.Require(options.Value, context);
        return Task.FromResult(new HealthCheckResponse());
    }
}
