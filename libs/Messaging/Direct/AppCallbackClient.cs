using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Chronicle.Messaging.Direct;

/// <summary>
/// A client of Dapr's app callback service, calling it the way a sidecar does. Dapr.Protos ships only the server side of
/// AppCallback, so the two methods the direct transport needs are described here over the package's own message types.
/// </summary>
public sealed class AppCallbackClient(CallInvoker callInvoker)
{
    private static readonly string ServiceName = AppCallback.Descriptor.FullName;

    private static readonly Method<Empty, ListTopicSubscriptionsResponse> ListTopicSubscriptionsMethod = new(
        MethodType.Unary, ServiceName, "ListTopicSubscriptions", MarshallerOf(Empty.Parser), MarshallerOf(ListTopicSubscriptionsResponse.Parser));

    private static readonly Method<TopicEventRequest, TopicEventResponse> OnTopicEventMethod = new(
        MethodType.Unary, ServiceName, "OnTopicEvent", MarshallerOf(TopicEventRequest.Parser), MarshallerOf(TopicEventResponse.Parser));

    public AsyncUnaryCall<ListTopicSubscriptionsResponse> ListTopicSubscriptionsAsync(CallOptions options = default) =>
        callInvoker.AsyncUnaryCall(ListTopicSubscriptionsMethod, null, options, new Empty());

    public AsyncUnaryCall<TopicEventResponse> OnTopicEventAsync(TopicEventRequest request, CallOptions options = default) =>
        callInvoker.AsyncUnaryCall(OnTopicEventMethod, null, options, request);

    private static Marshaller<T> MarshallerOf<T>(MessageParser<T> parser)
        where T : IMessage<T> => Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
}
