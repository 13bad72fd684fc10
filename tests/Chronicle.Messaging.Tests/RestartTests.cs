using Chronicle.Testing;

namespace Chronicle.Messaging.Tests;

/// <summary>Publisher (relay and its broker) and consumer restarted mid-stream: nothing lost, nothing applied twice.</summary>
[Collection(MessagingCollection.Name)]
public sealed class RestartTests
{
    [Theory]
    [InlineData(StorageBackend.Sqlite)]
    [InlineData(StorageBackend.Postgres)]
    public async Task GivenTheRelayStoppedMidStream_WhenItRestarts_ThenItResumesFromItsCheckpointAndNothingIsLostOrAppliedTwice(StorageBackend backend)
    {
        await using var scenario = await MessagingScenario.CreateAsync(backend);
        await scenario.StartAllAsync();
        var workload = new RecordWorkload(patients: 20);
        var half = workload.Count / 2;
        await workload.AppendAsync(scenario.Databases.Store, 0, half);

        await scenario.WaitUntilAppliedAsync(10);
        await scenario.PublisherApp!.StopAsync();
        var checkpointAtStop = await scenario.Databases.PublisherDatabase.ReadCheckpointAsync("outbox-relay");
        await workload.AppendAsync(scenario.Databases.Store, half, workload.Count);
        await scenario.StartPublisherAsync();

        await scenario.WaitUntilSettledAsync(workload.ExpectedIntegrationEventIds().Count);
        Assert.True(checkpointAtStop > Chronicle.EventStore.LogPosition.Start);
        Assert.Equal(workload.ExpectedIntegrationEventIds(), (await ConsumerState.ReadAsync(scenario.Databases.ConsumerDatabase)).Applied);
    }

    [Theory]
    [InlineData(StorageBackend.Sqlite)]
    [InlineData(StorageBackend.Postgres)]
    public async Task GivenTheConsumerStoppedMidStream_WhenItRestarts_ThenItGetsTheRestAndNothingIsAppliedTwice(StorageBackend backend)
    {
        await using var scenario = await MessagingScenario.CreateAsync(backend, MessagingScenario.Faulty(seed: 7));
        await scenario.StartAllAsync();
        var workload = new RecordWorkload(patients: 20);
        await workload.AppendAllAsync(scenario.Databases.Store);

        await scenario.WaitUntilAppliedAsync(20);
        await scenario.ConsumerApp!.StopAsync();
        var appliedWhileUp = await ConsumerState.CountAppliedAsync(scenario.Databases.ConsumerDatabase);
        await Task.Delay(200);
        await scenario.StartConsumerAsync();

        await scenario.WaitUntilSettledAsync(workload.ExpectedIntegrationEventIds().Count);
        Assert.InRange(appliedWhileUp, 20, workload.ExpectedIntegrationEventIds().Count - 1);
        Assert.Equal(workload.ExpectedIntegrationEventIds(), (await ConsumerState.ReadAsync(scenario.Databases.ConsumerDatabase)).Applied);
    }

    [Theory]
    [InlineData(StorageBackend.Sqlite)]
    [InlineData(StorageBackend.Postgres)]
    public async Task GivenEventsAcceptedWhileTheConsumerIsDown_WhenThePublisherRestarts_ThenItsQueueStillDeliversThem(StorageBackend backend)
    {
        await using var scenario = await MessagingScenario.CreateAsync(backend);
        await scenario.StartAllAsync();
        var workload = new RecordWorkload(patients: 5);
        // The first registrations flow while the consumer is up (so the publisher has heard its subscriptions).
        await workload.AppendAsync(scenario.Databases.Store, 0, 10);
        await scenario.WaitUntilAppliedAsync(5);
        await scenario.ConsumerApp!.StopAsync();
        var last = await workload.AppendAsync(scenario.Databases.Store, 10, workload.Count);

        await scenario.Relay.WaitForCheckpointAsync(last).WaitAsync(TimeSpan.FromSeconds(30));
        var pendingAtStop = await scenario.PublisherBroker.CountPendingAsync();
        await scenario.PublisherApp!.StopAsync();
        await scenario.StartPublisherAsync();
        await scenario.StartConsumerAsync();

        await scenario.WaitUntilSettledAsync(workload.ExpectedIntegrationEventIds().Count);
        // Everything published while the consumer was down was queued (a last acknowledgement lost in its stop may add one).
        Assert.True(pendingAtStop >= workload.ExpectedIntegrationEventIds().Count - 5, $"Only {pendingAtStop} deliveries were queued.");
        Assert.Equal(workload.ExpectedIntegrationEventIds(), (await ConsumerState.ReadAsync(scenario.Databases.ConsumerDatabase)).Applied);
    }
}
