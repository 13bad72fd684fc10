using Chronicle.Contracts.IntegrationEvents;
using Chronicle.Contracts.IntegrationEvents.Identity;
using Chronicle.EventStore;

namespace Chronicle.Identity.Messaging;

/// <summary>
/// Identity's outbox for changes to who may reach which patients: each change is appended to its event store (stream
/// <see cref="Stream"/>, stored as the integration event itself) and the outbox relay publishes it on
/// <see cref="IdentityTopics.Identity"/>, where the services that reuse access answers drop the stale ones.
/// It is appended after the directory change is committed, never before: a service that drops its answer on the event
/// and asks again must get the new answer. Should Identity stop between the two, the answers other services hold still
/// expire on their own (the answer lifetime Identity gives with each one).
/// </summary>
public sealed class AccessChanges(IEventStore store, TimeProvider time)
{
    public const string Stream = "access-changes";

    private static readonly IntegrationEventCatalog Catalog = IdentityIntegrationEventsJsonContext.Catalog();
    private static readonly EventMetadata Metadata = new() { ClientId = "chronicle-identity" };

    public Task ModuleAccessChangedAsync(string clientId, string practiceOds, bool enabled, CancellationToken cancellationToken) =>
        AppendAsync(new IdentityIntegrationEventsV1.ModuleAccessChanged(clientId, practiceOds, enabled, time.GetUtcNow()), cancellationToken);

    public Task RegistrationChangedAsync(Guid patientId, string practiceOds, string? previousPracticeOds, CancellationToken cancellationToken) =>
        AppendAsync(new IdentityIntegrationEventsV1.PatientRegistrationChanged(patientId, practiceOds, time.GetUtcNow(), previousPracticeOds),
            cancellationToken);

    /// <summary>The integration event a stored change announces; none for any other stored event.</summary>
    public static IEnumerable<object> Map(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        return recorded.StreamId == Stream && Catalog.TryGet(recorded.EventType, out var type)
            ? [IntegrationEventCatalog.Deserialize(type, recorded.Data)]
            : [];
    }

    private async Task AppendAsync(object change, CancellationToken cancellationToken)
    {
        var (type, data) = Catalog.Serialize(change);
        await store.AppendAsync(Stream, ExpectedVersion.Any, [new EventData(Guid.CreateVersion7(), type.Name, data, Metadata)], cancellationToken)
            .ConfigureAwait(false);
    }
}
