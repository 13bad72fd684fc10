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
        RequireAppApiToken(context);
        var response = new ListTopicSubscriptionsResponse();
        foreach (var subscription in subscriptions.Subscriptions)
        {
            response.Subscriptions.Add(new TopicSubscription
            {
                PubsubName = options.Value.PubSubName,
                Topic = subscription.Topic,
                DeadLetterTopic = subscription.Topic == options.Value.DeadLetterTopic ? "" : options.Value.DeadLetterTopic,
            });
        }

        return Task.FromResult(response);
    }

    public override async Task<TopicEventResponse> OnTopicEvent(TopicEventRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireAppApiToken(context);
        var incoming = new IncomingEvent(request.PubsubName, request.Topic, request.Id, request.Source, request.Type,
            request.SpecVersion, request.DataContentType, request.Data.ToByteArray());
        var outcome = await dispatcher.DispatchAsync(incoming, context.CancellationToken).ConfigureAwait(false);
        return new TopicEventResponse
        {
            Status = outcome switch
            {
                DeliveryOutcome.Success => TopicEventResponse.Types.TopicEventResponseStatus.Success,
                DeliveryOutcome.Retry => TopicEventResponse.Types.TopicEventResponseStatus.Retry,
                _ => TopicEventResponse.Types.TopicEventResponseStatus.Drop,
            },
        };
    }

    public override Task<ListInputBindingsResponse> ListInputBindings(Empty request, ServerCallContext context) =>
        Task.FromResult(new ListInputBindingsResponse());

    /// <summary>Only the sidecar knows the app API token; without one configured (local runs) the callback is open on loopback.</summary>
    private void RequireAppApiToken(ServerCallContext context)
    {
        if (options.Value.Dapr.AppApiToken is not { Length: > 0 } expected)
            return;
        var sent = context.RequestHeaders.GetValue("dapr-api-token");
        if (sent is null || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(sent), System.Text.Encoding.UTF8.GetBytes(expected)))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The app callback answers only the Dapr sidecar (dapr-api-token)."));
    }
}

/// <summary>Answers the sidecar's app health probe (app-health-check over gRPC).</summary>
public sealed class AppCallbackHealthCheckService : AppCallbackHealthCheck.AppCallbackHealthCheckBase
{
    public override Task<HealthCheckResponse> HealthCheck(Empty request, ServerCallContext context) =>
        Task.FromResult(new HealthCheckResponse());
}
