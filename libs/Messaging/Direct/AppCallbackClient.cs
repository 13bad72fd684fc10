using Chronicle.Messaging.Publishing;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Chronicle.Messaging.Direct;

/// <summary>
/// A client of Dapr's app callback service, calling it the way a sidecar does. Dapr.Protos ships only the server side of
/// AppCallback, so the methods the direct transport needs are described here over the package's own message types.
/// </summary>
public sealed class AppCallbackClient(CallInvoker callInvoker)
{
    private static readonly string ServiceName = AppCallback.Descriptor.FullName;

    private static readonly Method<Empty, ListTopicSubscriptionsResponse> ListTopicSubscriptionsMethod = new(
        MethodType.Unary, ServiceName, "ListTopicSubscriptions", MarshallerOf(Empty.Parser), MarshallerOf(ListTopicSubscriptionsResponse.Parser));

    private static readonly Method<TopicEventRequest, TopicEventResponse> OnTopicEventMethod = new(
        MethodType.Unary, ServiceName, "OnTopicEvent", MarshallerOf(TopicEventRequest.Parser), MarshallerOf(TopicEventResponse.Parser));

    private static readonly Method<TopicEventBulkRequest, TopicEventBulkResponse> OnBulkTopicEventMethod = new(
        MethodType.Unary, ServiceName, "OnBulkTopicEvent", MarshallerOf(TopicEventBulkRequest.Parser), MarshallerOf(TopicEventBulkResponse.Parser));

    private static readonly Method<TopicEventBulkRequest, TopicEventBulkResponse> OnBulkTopicEventAlpha1Method = new(
        MethodType.Unary, AppCallbackAlpha.Descriptor.FullName, "OnBulkTopicEventAlpha1", MarshallerOf(TopicEventBulkRequest.Parser),
        MarshallerOf(TopicEventBulkResponse.Parser));

    public AsyncUnaryCall<ListTopicSubscriptionsResponse> ListTopicSubscriptionsAsync(CallOptions options = default) =>
        callInvoker.AsyncUnaryCall(ListTopicSubscriptionsMethod, null, options, new Empty());

    public AsyncUnaryCall<TopicEventResponse> OnTopicEventAsync(TopicEventRequest request, CallOptions options = default) =>
        callInvoker.AsyncUnaryCall(OnTopicEventMethod, null, options, request);

    /// <summary>Bulk subscribe's stable callback (AppCallback.OnBulkTopicEvent); apps built on older protos answer Unimplemented.</summary>
    public AsyncUnaryCall<TopicEventBulkResponse> OnBulkTopicEventAsync(TopicEventBulkRequest request, CallOptions options = default) =>
        callInvoker.AsyncUnaryCall(OnBulkTopicEventMethod, null, options, request);

    /// <summary>Bulk subscribe's alpha callback (AppCallbackAlpha.OnBulkTopicEventAlpha1), which every bulk-subscribing app serves.</summary>
    public AsyncUnaryCall<TopicEventBulkResponse> OnBulkTopicEventAlpha1Async(TopicEventBulkRequest request, CallOptions options = default) =>
        callInvoker.AsyncUnaryCall(OnBulkTopicEventAlpha1Method, null, options, request);

    /// <summary>The OnTopicEvent request a sidecar makes of a published CloudEvent.</summary>
    public static TopicEventRequest RequestOf(OutgoingEvent outgoing)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        return new TopicEventRequest
        {
            Extensions = MessagingTelemetry.ExtensionsWith(outgoing.TraceParent),
            Id = outgoing.Id,
            Source = outgoing.Source,
            Type = outgoing.Type,
            SpecVersion = "1.0",
            DataContentType = outgoing.DataContentType,
            Data = ByteString.CopyFrom(outgoing.Data),
            Topic = outgoing.Topic,
            PubsubName = outgoing.PubSubName,
        };
    }

    private static Marshaller<T> MarshallerOf<T>(MessageParser<T> parser)
        where T : IMessage<T> => Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
}
