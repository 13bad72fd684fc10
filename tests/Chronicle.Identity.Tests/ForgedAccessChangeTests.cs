using Chronicle.Contracts.IntegrationEvents.Identity;
using Chronicle.Messaging.Direct;
using Chronicle.Messaging.Publishing;
using Chronicle.Messaging.Receiving;
using Chronicle.Testing;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Grpc.Core;
using Grpc.Net.Client;
using static Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types;

namespace Chronicle.Identity.Tests;

/// <summary>
/// Identity's access changes forged into the real Record process's app callback over its gRPC socket: only its own
/// sidecar's calls are answered, and only Identity's events are taken.
/// </summary>
[Collection(RealServicesCollection.Name)]
public sealed class ForgedAccessChangeTests(RealServicesFixture services)
{
    [Theory]
    [InlineData(null)]
    [InlineData("a-guessed-token")]
    public async Task GivenAForgedAccessChange_WhenSentToTheRecordWithoutItsAppApiTokenOrWithAWrongOne_ThenItIsUnauthenticated(string? token)
    {
        using var channel = GrpcChannel.ForAddress(services.RecordGrpc);
        var forger = new AppCallbackClient(channel.CreateCallInvoker().Sending(token));

        var refusal = await Assert.ThrowsAsync<RpcException>(async () => await forger.OnTopicEventAsync(AccessChange(source: "identity")));

        Assert.Equal(StatusCode.Unauthenticated, refusal.StatusCode);
    }

    [Fact]
    public async Task GivenAnAccessChangeWithTheRightTokenButAnotherAppAsItsSource_WhenDeliveredToTheRecord_ThenItIsDropped()
    {
        using var channel = GrpcChannel.ForAddress(services.RecordGrpc);
        var sidecar = new AppCallbackClient(channel.CreateCallInvoker().Sending(TestAppApiToken.Value));

        var forged = await sidecar.OnTopicEventAsync(AccessChange(source: "record"));
        var genuine = await sidecar.OnTopicEventAsync(AccessChange(source: "identity"));

        Assert.Equal((TopicEventResponseStatus.Drop, TopicEventResponseStatus.Success), (forged.Status, genuine.Status));
    }

    // A module no test uses, so the genuine event's effect (dropping cached answers about it) touches nothing else.
    private static TopicEventRequest AccessChange(string source)
    {
        var id = Guid.NewGuid().ToString();
        var change = new IdentityIntegrationEventsV1.ModuleAccessChanged("module-of-no-test", "A81001", Enabled: false, DateTimeOffset.UtcNow);
        var outgoing = OutgoingEvent.For(IdentityIntegrationEventsJsonContext.Catalog(), change, id, source, "pubsub");
        return AppCallbackClient.RequestOf(outgoing);
    }
}
