using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Chronicle.Messaging.Tests;

/// <summary>
/// Counts the events an app is handed (one per OnTopicEvent, one per entry of a bulk call), to show that injected faults
/// really caused redeliveries, and the bulk calls.
/// </summary>
public sealed class DeliveryCounter : Interceptor
{
    private int _deliveries;
    private int _bulkCalls;

    public int Deliveries => Volatile.Read(ref _deliveries);

    public int BulkCalls => Volatile.Read(ref _bulkCalls);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (context.Method.EndsWith("/OnTopicEvent", StringComparison.Ordinal))
            Interlocked.Increment(ref _deliveries);
        if (request is Dapr.AppCallback.Autogen.Grpc.v1.TopicEventBulkRequest bulk)
        {
            Interlocked.Add(ref _deliveries, bulk.Entries.Count);
            Interlocked.Increment(ref _bulkCalls);
        }

        return continuation(request, context);
    }
}
