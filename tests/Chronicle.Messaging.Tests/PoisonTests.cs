using System.Text;
using Chronicle.Contracts.IntegrationEvents;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Messaging.Publishing;
using Chronicle.Testing;

namespace Chronicle.Messaging.Tests;

[Collection(MessagingCollection.Name)]
public sealed class PoisonTests
{
    [Theory]
    [InlineData(StorageBackend.Sqlite)]
    [InlineData(StorageBackend.Postgres)]
    public async Task GivenPoisonEvents_WhenDelivered_ThenTheyAreDeadLetteredWithTheReasonAndLaterEventsStillFlow(StorageBackend backend)
    {
        await using var scenario = await MessagingScenario.CreateAsync(backend);
        await scenario.StartAllAsync();
        var broker = scenario.PublisherBroker;
        var catalog = RecordIntegrationEventsJsonContext.Catalog();

        await broker.PublishAsync(new OutgoingEvent("pubsub", RecordTopics.Record, "poison-body", "record",
            "chronicle.record.patient-registered.v1", OutgoingEvent.JsonContentType, Encoding.UTF8.GetBytes("""{"patientId":"not a guid"}""")));
        await broker.PublishAsync(new OutgoingEvent("pubsub", RecordTopics.Record, "poison-type", "record",
            "chronicle.record.patient-teleported.v1", OutgoingEvent.JsonContentType, Encoding.UTF8.GetBytes("{}")));
        await broker.PublishAsync(OutgoingEvent.For(catalog, new RecordIntegrationEventsV1.PatientRegistered(
            Guid.CreateVersion7(), 0, DateTimeOffset.UtcNow, "123", "A81001", "Smith", ["Ann"], new DateOnly(1980, 1, 1)),
            "poison-invalid", "record", "pubsub"));
        var workload = new RecordWorkload(patients: 3);
        await workload.AppendAllAsync(scenario.Databases.Store);

        await scenario.WaitUntilSettledAsync(workload.ExpectedIntegrationEventIds().Count);
        var deadLetters = await WaitForDeadLettersAsync(scenario, 3);

        Assert.Equal(workload.ExpectedIntegrationEventIds(), (await ConsumerState.ReadAsync(scenario.Databases.ConsumerDatabase)).Applied);
        Assert.All(deadLetters, d => Assert.Equal((RecordTopics.Record, MessagingScenario.Consumer), (d.Topic, d.Consumer)));
        var reasons = deadLetters.ToDictionary(d => d.EventId, d => d.Reason);
        Assert.Equal(["poison-body", "poison-invalid", "poison-type"], reasons.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("does not fit chronicle.record.patient-registered.v1", reasons["poison-body"], StringComparison.Ordinal);
        Assert.Contains("Unknown event type 'chronicle.record.patient-teleported.v1'", reasons["poison-type"], StringComparison.Ordinal);
        Assert.Contains("NHS number '123' is not ten digits", reasons["poison-invalid"], StringComparison.Ordinal);
    }

    internal static async Task<IReadOnlyList<(string EventId, string Type, string Topic, string Consumer, string Reason)>> WaitForDeadLettersAsync(
        MessagingScenario scenario, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var deadLetters = await DeadLetterRecorder.ReadAsync(scenario.Databases.ObserverDatabase);
            if (deadLetters.Count >= count)
                return deadLetters;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Only {deadLetters.Count} of {count} dead letters arrived.");
            await Task.Delay(20);
        }
    }
}
