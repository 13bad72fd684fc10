namespace Chronicle.EventStore;

public record EventStoreOptions
{
    /// <summary>Applied in order to every event read, by stream reads, log reads and subscriptions.</summary>
    public IReadOnlyList<IEventUpcaster> Upcasters { get; init; } = [];
}
