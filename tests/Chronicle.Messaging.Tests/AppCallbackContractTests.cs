using System.Text;
using Chronicle.Contracts.IntegrationEvents;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Messaging.Direct;
using Chronicle.Messaging.Publishing;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using static Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types;

namespace Chronicle.Messaging.Tests;

/// <summary>
/// The app callback called the way a Dapr sidecar calls it: a raw gRPC client, hand-built CloudEvent requests, and the
/// status codes the sidecar acts on.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class AppCallbackContractTests(PostgresFixture postgres)
{
    private static readonly IntegrationEventCatalog Catalog = RecordIntegrationEventsJsonContext.Catalog();

    [Fact]
    public async Task WhenTheSidecarAsksForSubscriptions_ThenTheAppListsItsTopicsWithTheDeadLetterTopic()
    {
        await using var app = await StartConsumerAsync(Backend.Sqlite);

        var response = await app.Client.ListTopicSubscriptionsAsync();

        var subscription = Assert.Single(response.Subscriptions);
        Assert.Equal(("pubsub", RecordTopics.Record, MessagingTopics.DeadLetter),
            (subscription.PubsubName, subscription.Topic, subscription.DeadLetterTopic));
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task GivenAValidEvent_WhenDeliveredTwice_ThenBothAreAcknowledgedAndItTakesEffectOnce(Backend backend)
    {
        await using var app = await StartConsumerAsync(backend);
        var request = Request(RegisteredPatient("9000000001"), "event-1");

        var first = await app.Client.OnTopicEventAsync(request);
        var second = await app.Client.OnTopicEventAsync(request);

        Assert.Equal((TopicEventResponseStatus.Success, TopicEventResponseStatus.Success), (first.Status, second.Status));
        var state = await ConsumerState.ReadAsync(app.Scenario.Databases.ConsumerDatabase);
        Assert.Equal(["event-1"], state.Applied);
        Assert.Contains("9000000001", Assert.Single(state.Patients), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task GivenAHandlerFailingTransiently_WhenDelivered_ThenItAsksForRetryAndTheRedeliverySucceeds(Backend backend)
    {
        await using var app = await StartConsumerAsync(backend);
        app.Scenario.HandlerFaults.FailTimes("event-flaky", 1);
        var request = Request(RegisteredPatient("9000000002"), "event-flaky");

        var first = await app.Client.OnTopicEventAsync(request);
        var afterFirst = await ConsumerState.ReadAsync(app.Scenario.Databases.ConsumerDatabase);
        var second = await app.Client.OnTopicEventAsync(request);

        Assert.Equal((TopicEventResponseStatus.Retry, TopicEventResponseStatus.Success), (first.Status, second.Status));
        Assert.Empty(afterFirst.Applied);
        Assert.Equal(["event-flaky"], (await ConsumerState.ReadAsync(app.Scenario.Databases.ConsumerDatabase)).Applied);
    }

    [Fact]
    public async Task GivenPoison_WhenDelivered_ThenEachIsDroppedAndDeadLetteredWithItsReason()
    {
        await using var app = await StartConsumerAsync(Backend.Sqlite);
        var valid = Request(RegisteredPatient("9000000003"), "unused");
        var poison = new Dictionary<string, TopicEventRequest>
        {
            ["unknown-topic"] = new(valid) { Id = "unknown-topic", Topic = "chronicle.nowhere" },
            ["unknown-type"] = new(valid) { Id = "unknown-type", Type = "chronicle.record.patient-teleported.v1" },
            ["not-json"] = new(valid) { Id = "not-json", Data = ByteString.CopyFromUtf8("{ not json") },
            ["wrong-content-type"] = new(valid) { Id = "wrong-content-type", DataContentType = "application/xml" },
            ["missing-field"] = new(valid) { Id = "missing-field", Data = ByteString.CopyFromUtf8("""{"patientId":"5d1f7c6e-0000-4000-8000-000000000001"}""") },
            ["invalid"] = Request(RegisteredPatient("12"), "invalid"),
            ["no-id"] = new(valid) { Id = "" },
        };

        var statuses = new Dictionary<string, TopicEventResponseStatus>();
        foreach (var (name, request) in poison)
            statuses[name] = (await app.Client.OnTopicEventAsync(request)).Status;

        Assert.All(statuses, s => Assert.Equal(TopicEventResponseStatus.Drop, s.Value));
        Assert.Empty((await ConsumerState.ReadAsync(app.Scenario.Databases.ConsumerDatabase)).Applied);
        var reasons = (await PoisonTests.WaitForDeadLettersAsync(app.Scenario, poison.Count)).ToDictionary(d => d.EventId, d => d.Reason);
        Assert.Contains("no subscription to topic 'chronicle.nowhere'", reasons["unknown-topic"], StringComparison.Ordinal);
        Assert.Contains("Unknown event type", reasons["unknown-type"], StringComparison.Ordinal);
        Assert.Contains("does not fit", reasons["not-json"], StringComparison.Ordinal);
        Assert.Contains("is not JSON", reasons["wrong-content-type"], StringComparison.Ordinal);
        Assert.Contains("does not fit", reasons["missing-field"], StringComparison.Ordinal);
        Assert.Contains("not ten digits", reasons["invalid"], StringComparison.Ordinal);
        Assert.Contains("no id", reasons[""], StringComparison.Ordinal);
    }

    private static TopicEventRequest Request(object integrationEvent, string id)
    {
        var outgoing = OutgoingEvent.For(Catalog, integrationEvent, id, "record", "pubsub");
        return new TopicEventRequest
        {
            Id = id,
            Source = outgoing.Source,
            Type = outgoing.Type,
            SpecVersion = "1.0",
            DataContentType = outgoing.DataContentType,
            Data = ByteString.CopyFrom(outgoing.Data),
            Topic = outgoing.Topic,
            PubsubName = outgoing.PubSubName,
        };
    }

    [Fact]
    public async Task GivenAnAppApiToken_WhenCalledWithoutIt_ThenUnauthenticatedAndWithItAnswered()
    {
        await using var app = await StartConsumerAsync(Backend.Sqlite, appApiToken: "sidecar-secret");
        var request = Request(RegisteredPatient("9000000009"), "event-token");

        var withoutToken = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await app.Client.OnTopicEventAsync(request));
        var listWithout = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await app.Client.ListTopicSubscriptionsAsync());
        using var sidecar = GrpcChannel.ForAddress(app.Scenario.ConsumerApp!.Address);
        var withToken = await new AppCallbackClient(sidecar.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("dapr-api-token", "sidecar-secret");
            return metadata;
        })).OnTopicEventAsync(request);

        Assert.Equal((Grpc.Core.StatusCode.Unauthenticated, Grpc.Core.StatusCode.Unauthenticated), (withoutToken.StatusCode, listWithout.StatusCode));
        Assert.Equal(TopicEventResponseStatus.Success, withToken.Status);
        Assert.Equal(["event-token"], (await ConsumerState.ReadAsync(app.Scenario.Databases.ConsumerDatabase)).Applied);
    }

    private Task<ConsumerUnderTest> StartConsumerAsync(Backend backend, string? appApiToken = null) =>
        ConsumerUnderTest.StartAsync(postgres, backend, appApiToken);

    private static RecordIntegrationEventsV1.PatientRegistered RegisteredPatient(string nhsNumber) => ConsumerUnderTest.RegisteredPatient(nhsNumber);
}
