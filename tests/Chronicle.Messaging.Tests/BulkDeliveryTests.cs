using Chronicle.Contracts.IntegrationEvents;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Messaging.Publishing;
using Chronicle.Messaging.Receiving;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using static Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types;
using Chronicle.Testing;

namespace Chronicle.Messaging.Tests;

/// <summary>
/// Dapr bulk subscribe: the app declares it in ListTopicSubscriptions, takes bulks through its real OnBulkTopicEventAlpha1
/// with a status per entry, and the direct transport delivers bulk-subscribed topics in bulks.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class BulkDeliveryTests
{
    private static readonly IntegrationEventCatalog Catalog = RecordIntegrationEventsJsonContext.Catalog();
    private static readonly BulkSubscribeOptions Bulk = new(MaxMessagesCount: 16, MaxAwaitDurationMs: 20);

    [Fact]
    public async Task GivenABulkSubscription_WhenTheSidecarAsksForSubscriptions_ThenBulkSubscribeIsDeclared()
    {
        await using var app = await StartConsumerAsync(StorageBackend.Sqlite);

        var response = await app.Client.ListTopicSubscriptionsAsync();

        var subscription = Assert.Single(response.Subscriptions);
        Assert.Equal((RecordTopics.Record, true, 16, 20), (subscription.Topic, subscription.BulkSubscribe.Enabled,
            subscription.BulkSubscribe.MaxMessagesCount, subscription.BulkSubscribe.MaxAwaitDurationMs));
    }

    [Theory]
    [InlineData(StorageBackend.Sqlite)]
    [InlineData(StorageBackend.Postgres)]
    public async Task GivenABulkWithPoisonAFlakyEntryAndARepeat_WhenDeliveredTwice_ThenEachEntryHasItsOwnStatusAndTakesEffectOnce(StorageBackend backend)
    {
        await using var app = await StartConsumerAsync(backend);
        app.Scenario.HandlerFaults.FailTimes("flaky", 1);
        var bulk = BulkRequest(
            ("a", Entry(RegisteredPatient("9000000011"), "event-1")),
            ("b", Entry(RegisteredPatient("9000000012"), "event-2")),
            ("c", Entry(RegisteredPatient("12"), "poison-invalid")),
            ("d", Entry(RegisteredPatient("9000000013"), "flaky")),
            ("e", Entry(RegisteredPatient("9000000011"), "event-1")),
            ("f", new TopicEventCERequest(Entry(RegisteredPatient("9000000014"), "poison-body")) { Data = ByteString.CopyFromUtf8("{ not json") }));

        var first = await app.Client.OnBulkTopicEventAlpha1Async(bulk);
        var afterFirst = await ConsumerState.ReadAsync(app.Scenario.Databases.ConsumerDatabase);
        var second = await app.Client.OnBulkTopicEventAlpha1Async(bulk);

        var drop = TopicEventResponseStatus.Drop;
        var (success, retry) = (TopicEventResponseStatus.Success, TopicEventResponseStatus.Retry);
        Assert.Equal([("a", success), ("b", success), ("c", drop), ("d", retry), ("e", success), ("f", drop)],
            first.Statuses.Select(s => (s.EntryId, s.Status)));
        Assert.Equal(["event-1", "event-2"], afterFirst.Applied);
        Assert.Equal([success, success, drop, success, success, drop], second.Statuses.Select(s => s.Status));
        var state = await ConsumerState.ReadAsync(app.Scenario.Databases.ConsumerDatabase);
        Assert.Equal(["event-1", "event-2", "flaky"], state.Applied);
        Assert.Equal(3, state.Patients.Count);
        var reasons = (await PoisonTests.WaitForDeadLettersAsync(app.Scenario, 2)).ToDictionary(d => d.EventId, d => d.Reason);
        Assert.Contains("not ten digits", reasons["poison-invalid"], StringComparison.Ordinal);
        Assert.Contains("does not fit", reasons["poison-body"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StorageBackend.Sqlite)]
    [InlineData(StorageBackend.Postgres)]
    public async Task GivenBulkSubscribeAndFaultsInjected_WhenTheStreamIsRelayed_ThenItArrivesInBulksAndEndsAsWithoutFaults(StorageBackend backend)
    {
        var workload = new RecordWorkload(patients: 20);
        var expected = workload.ExpectedIntegrationEventIds();

        var faultFree = await AtLeastOnceTests.RunAsync(backend, workload, faults: null, Bulk);
        var faulty = await AtLeastOnceTests.RunAsync(backend, workload, MessagingScenario.Faulty(seed: 43), Bulk);

        Assert.Equal(expected, faultFree.State.Applied);
        Assert.Equal(expected.Count, faultFree.Deliveries);
        Assert.True(faultFree.BulkCalls < expected.Count, $"{faultFree.BulkCalls} bulk calls for {expected.Count} events: no bulk held two.");
        Assert.True(faulty.Deliveries > expected.Count * 1.2,
            $"Only {faulty.Deliveries} deliveries for {expected.Count} events: the faults did not happen.");
        Assert.Equal(faultFree.State, faulty.State, ConsumerStateComparer.Instance);
    }

    [Fact]
    public async Task GivenBulkSubscribe_WhenPoisonIsPublished_ThenItAloneIsDeadLetteredAndTheRestFlows()
    {
        await using var scenario = await MessagingScenario.CreateAsync(StorageBackend.Sqlite, consumerBulk: Bulk);
        await scenario.StartAllAsync();
        var workload = new RecordWorkload(patients: 3);

        await scenario.PublisherBroker.PublishAsync(OutgoingEvent.For(Catalog, RegisteredPatient("123"), "poison-invalid", "record", "pubsub"));
        await workload.AppendAllAsync(scenario.Databases.Store);
        await scenario.WaitUntilSettledAsync(workload.ExpectedIntegrationEventIds().Count);
        var deadLetter = Assert.Single(await PoisonTests.WaitForDeadLettersAsync(scenario, 1));

        Assert.Equal(workload.ExpectedIntegrationEventIds(), (await ConsumerState.ReadAsync(scenario.Databases.ConsumerDatabase)).Applied);
        Assert.Equal("poison-invalid", deadLetter.EventId);
        Assert.True(scenario.ConsumerDeliveries.BulkCalls > 0);
    }

    private static RecordIntegrationEventsV1.PatientRegistered RegisteredPatient(string nhsNumber) => ConsumerUnderTest.RegisteredPatient(nhsNumber);

    private static TopicEventCERequest Entry(object integrationEvent, string id)
    {
        var outgoing = OutgoingEvent.For(Catalog, integrationEvent, id, "record", "pubsub");
        return new TopicEventCERequest
        {
            Id = id, Source = outgoing.Source, Type = outgoing.Type, SpecVersion = "1.0", DataContentType = outgoing.DataContentType,
            Data = ByteString.CopyFrom(outgoing.Data),
        };
    }

    private static TopicEventBulkRequest BulkRequest(params (string EntryId, TopicEventCERequest Event)[] entries)
    {
        var request = new TopicEventBulkRequest
        {
            Id = Guid.NewGuid().ToString(), PubsubName = "pubsub", Topic = RecordTopics.Record, Type = "com.dapr.event.sent.bulk",
        };
        foreach (var (entryId, cloudEvent) in entries)
            request.Entries.Add(new TopicEventBulkRequestEntry { EntryId = entryId, CloudEvent = cloudEvent, ContentType = "application/cloudevents+json" });
        return request;
    }

    private Task<ConsumerUnderTest> StartConsumerAsync(StorageBackend backend) => ConsumerUnderTest.StartAsync(backend, bulk: Bulk);
}
