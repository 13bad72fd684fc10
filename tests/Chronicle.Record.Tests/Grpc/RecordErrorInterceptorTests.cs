using Chronicle.EventStore;
using Chronicle.Record.Grpc;
using Grpc.Core;

namespace Chronicle.Record.Tests.Grpc;

/// <summary>The event store's refusals that are the service's state, not the caller's request, reach callers as gRPC statuses.</summary>
public sealed class RecordErrorInterceptorTests
{
    [Fact]
    public void GivenTheStoreRefusingWritesAfterARestore_WhenACommandFails_ThenTheCallerIsToldTheServiceIsUnavailableAndWhy()
    {
        var rpc = RecordErrorInterceptor.ToRpcException(new LogClockBehindException("patient-1"));

        Assert.NotNull(rpc);
        Assert.Equal(StatusCode.Unavailable, rpc.StatusCode);
        Assert.Contains("re-initialised", rpc.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAnAppendOrderedBehindAnother_WhenACommandFails_ThenTheCallerIsToldToTryAgain()
    {
        var rpc = RecordErrorInterceptor.ToRpcException(new AppendOrderConflictException("patient-1"));

        Assert.Equal(StatusCode.Unavailable, rpc?.StatusCode);
    }
}
