using System.Text.Json.Serialization;

namespace Chronicle.Contracts.IntegrationEvents.Identity;

/// <summary>The topic the Identity service publishes its integration events to; only Identity publishes on it.</summary>
public static class IdentityTopics
{
    public const string Identity = "chronicle.identity";

    /// <summary>The Identity service's app id: the only source its events are accepted from.</summary>
    public const string Owner = "identity";
}

/// <summary>
/// What the Identity service tells other services, version 1: a change to who may reach which patients. Services that
/// reuse Identity's legitimate-relationship answers drop the answers a change touches when it arrives, so a revocation
/// bites on the next request instead of when the reused answer expires. Published after the change is committed.
/// </summary>
public static class IdentityIntegrationEventsV1
{
    /// <summary>A practice enabled or disabled a supplier module: every answer given to that module may be stale.</summary>
    [IntegrationEvent("chronicle.identity.module-access-changed.v1", IdentityTopics.Identity, Owner = IdentityTopics.Owner)]
    public sealed record ModuleAccessChanged(string ClientId, string PracticeOds, bool Enabled, DateTimeOffset OccurredAt);

    /// <summary>
    /// Where a patient is registered changed (a first registration, or a move to another practice): every answer about
    /// that patient may be stale. <c>PreviousPracticeOds</c> is absent for a first registration.
    /// </summary>
    [IntegrationEvent("chronicle.identity.patient-registration-changed.v1", IdentityTopics.Identity, Owner = IdentityTopics.Owner)]
    public sealed record PatientRegistrationChanged(Guid PatientId, string PracticeOds, DateTimeOffset OccurredAt, string? PreviousPracticeOds = null);
}

// Missing or null non-nullable members fail deserialisation, so a malformed event is rejected before any handler runs.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(IdentityIntegrationEventsV1.ModuleAccessChanged))]
[JsonSerializable(typeof(IdentityIntegrationEventsV1.PatientRegistrationChanged))]
public sealed partial class IdentityIntegrationEventsJsonContext : JsonSerializerContext
{
    public static IntegrationEventCatalog Catalog() => new IntegrationEventCatalog()
        .Register(Default.ModuleAccessChanged)
        .Register(Default.PatientRegistrationChanged);
}
