using Chronicle.Testing;

namespace Chronicle.Messaging.Tests;

/// <summary>
/// The record's event store relayed to a consumer through the direct transport: with duplicates, reordering, lost
/// deliveries and acknowledgements, delays and flaky handlers injected, the consumer ends exactly as in a fault-free run.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class AtLeastOnceTests
{
    [Theory]
    [InlineData(StorageBackend.Sqlite)]
    [InlineData(StorageBackend.Postgres)]
    public async Task GivenFaultsInjected_WhenTheStreamIsRelayed_ThenTheConsumerEndsAsInAFaultFreeRun(StorageBackend backend)
    {
        var workload = new RecordWorkload(patients: 20);
        var expected = workload.ExpectedIntegrationEventIds();

        var faultFree = await RunAsync(backend, workload, faults: null);
        var faulty = await RunAsync(backend, workload, MessagingScenario.Faulty(seed: 42));

        Assert.Equal(expected, faultFree.State.Applied);
        Assert.Equal(expected.Count, faultFree.Deliveries);
        Assert.True(faulty.Deliveries > expected.Count * 1.2,
            $"Only {faulty.Deliveries} deliveries for {expected.Count} events: the faults did not happen.");
        Assert.Equal(faultFree.State, faulty.State, ConsumerStateComparer.Instance);
    }

    /// <summary>The workload relayed to a consumer (bulk-subscribing when <paramref name="bulk"/> is given) until it settles.</summary>
    internal static async Task<(ConsumerState State, int Deliveries, int BulkCalls)> RunAsync(StorageBackend backend,
        RecordWorkload workload, Dictionary<string, string?>? faults, Receiving.BulkSubscribeOptions? bulk = null)
    {
        await using var scenario = await MessagingScenario.CreateAsync(backend, faults, bulk);
        scenario.HandlerFaults.FailSomeOnce = faults is not null;
        await scenario.StartAllAsync();
        await workload.AppendAllAsync(scenario.Databases.Store);

        await scenario.WaitUntilSettledAsync(workload.ExpectedIntegrationEventIds().Count);
        return (await ConsumerState.ReadAsync(scenario.Databases.ConsumerDatabase), scenario.ConsumerDeliveries.Deliveries,
            scenario.ConsumerDeliveries.BulkCalls);
    }
}

internal sealed class ConsumerStateComparer : IEqualityComparer<ConsumerState>
{
    public static ConsumerStateComparer Instance { get; } = new();

    public bool Equals(ConsumerState? x, ConsumerState? y) =>
        x is not null && y is not null && x.Patients.SequenceEqual(y.Patients) && x.Entries.SequenceEqual(y.Entries)
        && x.Applied.SequenceEqual(y.Applied);

    public int GetHashCode(ConsumerState obj) => obj.Patients.Count;
}
