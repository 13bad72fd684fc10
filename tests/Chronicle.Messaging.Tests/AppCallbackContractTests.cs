using System.Text;
using Chronicle.Contracts.IntegrationEvents;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Messaging.Direct;
using Chronicle.Messaging.Publishing;
using Chronicle.Messaging.Receiving;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Net.Client;
using static Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types;
using Chronicle.Testing;

namespace Chronicle.Messaging.Tests;

/// <summary>
/// The app callback called the way a Dapr sidecar calls it: a raw gRPC client, hand-built CloudEvent requests, and the
/// status codes the sidecar acts on.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class AppCallbackContractTests
{
    private static readonly IntegrationEventCatalog Catalog = RecordIntegrationEventsJsonContext.Catalog();

    [Fact]
    public async Task GivenAConsumerApp_WhenTheSidecarAsksForSubscriptions_ThenItListsItsTopicsWithTheDeadLetterTopic()
    {
        await using var app = await StartConsumerAsync(StorageBackend.Sqlite);

        var response = await app.Client.ListTopicSubscriptionsAsync();

        var subscription = Assert.Single(response.Subscriptions);
        Assert.Equal(("pubsub", RecordTopics.Record, MessagingTopics.DeadLetter),
            (subscription.PubsubName, subscription.Topic, subscription.DeadLetterTopic));
    }

    [Theory]
    [InlineData(StorageBackend.Sqlite)]
    [InlineData(StorageBackend.Postgres)]
    public async Task GivenAValidEvent_WhenDeliveredTwice_ThenBothAreAcknowledgedAndItTakesEffectOnce(StorageBackend backend)
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
    [InlineData(StorageBackend.Sqlite)]
    [InlineData(StorageBackend.Postgres)]
    public async Task GivenAHandlerFailingTransiently_WhenDelivered_ThenItAsksForRetryAndTheRedeliverySucceeds(StorageBackend backend)
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
        await using var app = await StartConsumerAsync(StorageBackend.Sqlite);
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
        return AppCallbackClient.RequestOf(OutgoingEvent.For(Catalog, integrationEvent, id, "record", "pubsub"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-token")]
    [InlineData("")]
    public async Task GivenAForgedEvent_WhenSentWithoutTheAppApiTokenOrWithAWrongOne_ThenEveryCallbackIsUnauthenticatedAndNothingChanges(string? token)
    {
        await using var app = await StartConsumerAsync(StorageBackend.Sqlite);
        var forger = token is null ? app.Stranger : app.WithToken(token);
        var request = Request(RegisteredPatient("9000000009"), "forged-1");
        var bulk = new TopicEventBulkRequest { Id = "bulk-1", PubsubName = "pubsub", Topic = RecordTopics.Record, Type = "com.dapr.event.sent.bulk" };
        bulk.Entries.Add(new TopicEventBulkRequestEntry
        {
            EntryId = "entry-1",
            CloudEvent = new TopicEventCERequest
            {
                Id = "forged-2", Source = request.Source, Type = request.Type, SpecVersion = "1.0", DataContentType = request.DataContentType,
                Data = request.Data,
            },
        });

        var refusals = new[]
        {
            await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await forger.OnTopicEventAsync(request)),
            await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await forger.OnBulkTopicEventAsync(bulk)),
            await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await forger.OnBulkTopicEventAlpha1Async(bulk)),
            await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await forger.ListTopicSubscriptionsAsync()),
        };

        Assert.All(refusals, refusal => Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, refusal.StatusCode));
        var state = await ConsumerState.ReadAsync(app.Scenario.Databases.ConsumerDatabase);
        Assert.Empty(state.Applied);
        Assert.Empty(state.Patients);
        // The genuine sidecar is answered.
        Assert.Equal(TopicEventResponseStatus.Success, (await app.Client.OnTopicEventAsync(request)).Status);
        Assert.Equal(["forged-1"], (await ConsumerState.ReadAsync(app.Scenario.Databases.ConsumerDatabase)).Applied);
    }

    [Fact]
    public async Task GivenAnEventOfAnOwnedTopic_WhenItsSourceIsAnotherApp_ThenItIsDroppedDeadLetteredAndNotApplied()
    {
        await using var app = await StartConsumerAsync(StorageBackend.Sqlite);
        var forged = new TopicEventRequest(Request(RegisteredPatient("9000000010"), "forged-source")) { Source = "identity" };
        var genuine = Request(RegisteredPatient("9000000011"), "genuine-source");

        var forgedStatus = (await app.Client.OnTopicEventAsync(forged)).Status;
        var genuineStatus = (await app.Client.OnTopicEventAsync(genuine)).Status;

        Assert.Equal((TopicEventResponseStatus.Drop, TopicEventResponseStatus.Success), (forgedStatus, genuineStatus));
        Assert.Equal(["genuine-source"], (await ConsumerState.ReadAsync(app.Scenario.Databases.ConsumerDatabase)).Applied);
        var deadLetter = Assert.Single(await PoisonTests.WaitForDeadLettersAsync(app.Scenario, 1));
        Assert.Equal("forged-source", deadLetter.EventId);
        Assert.Contains("published only by 'record'; this one came from 'identity'", deadLetter.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenDaprsInjectedAppApiToken_WhenTheCallbackIsCalled_ThenOnlyCallsCarryingItAreAnswered()
    {
        var configuration = new Dictionary<string, string?> { ["Chronicle:Transport"] = "dapr", ["APP_API_TOKEN"] = "from-app-token-secret" };
        await using var databases = await ScenarioDatabases.CreateAsync(StorageBackend.Sqlite);
        await using var app = await TestApp.StartAsync("under-dapr", TestApp.FreePort(), configuration,
            (services, _) => services.AddSingleton(databases.ConsumerDatabase));
        using var channel = GrpcChannel.ForAddress(app.Address);

        var stranger = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await new AppCallbackClient(channel.CreateCallInvoker()).ListTopicSubscriptionsAsync());
        var sidecar = await new AppCallbackClient(channel.CreateCallInvoker().Sending("from-app-token-secret")).ListTopicSubscriptionsAsync();

        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, stranger.StatusCode);
        Assert.Empty(sidecar.Subscriptions);
    }

    [Fact]
    public async Task GivenNoAppApiToken_WhenTheAppStarts_ThenItRefusesSayingHowToSetOne()
    {
        var configuration = new Dictionary<string, string?> { ["Chronicle:Transport"] = "direct" };

        var refusal = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            TestApp.StartAsync("lonely", TestApp.FreePort(), configuration, (_, _) => { }));

        Assert.Contains("No app API token: set Chronicle:Dapr:AppApiToken", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheDevelopmentSwitch_WhenTheAppStartsWithoutAToken_ThenItStartsAndSaysTheCallbackIsOpen()
    {
        var logs = new RecordingLoggerProvider();
        await using var databases = await ScenarioDatabases.CreateAsync(StorageBackend.Sqlite);
        var configuration = new Dictionary<string, string?>
        {
            ["Chronicle:Transport"] = "direct", ["Chronicle:Dapr:AllowMissingAppApiToken"] = "true",
            ["Chronicle:Direct:QueueDatabase"] = databases.QueuePath("open"),
        };

        await using var app = await TestApp.StartAsync("open", TestApp.FreePort(), configuration, (services, _) =>
        {
            services.AddSingleton(databases.ConsumerDatabase);
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
        });
        using var channel = GrpcChannel.ForAddress(app.Address);
        var answered = await new AppCallbackClient(channel.CreateCallInvoker()).ListTopicSubscriptionsAsync();

        Assert.Empty(answered.Subscriptions);
        Assert.Contains(logs.Messages, m => m.Contains("SECURITY: open runs without an app API token", StringComparison.Ordinal));
    }

    private Task<ConsumerUnderTest> StartConsumerAsync(StorageBackend backend, string? appApiToken = null) =>
        ConsumerUnderTest.StartAsync(backend, appApiToken);

    private static RecordIntegrationEventsV1.PatientRegistered RegisteredPatient(string nhsNumber) => ConsumerUnderTest.RegisteredPatient(nhsNumber);
}
