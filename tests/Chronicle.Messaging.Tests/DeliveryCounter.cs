using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Chronicle.Messaging.Tests;

/// <summary>Counts the OnTopicEvent calls an app receives, to show that injected faults really caused redeliveries.</summary>
public sealed class DeliveryCounter : Interceptor
{
    private int _deliveries;

    public int Deliveries => Volatile.Read(ref _deliveries);

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (context.Method.EndsWith("/OnTopicEvent", StringComparison.Ordinal))
            Interlocked.Increment(ref _deliveries);
        return continuation(request, context);
    }
}
