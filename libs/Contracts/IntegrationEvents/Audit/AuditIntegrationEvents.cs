using System.Text.Json.Serialization;

namespace Chronicle.Contracts.IntegrationEvents.Audit;

/// <summary>The topic every service publishes its audit entries to; the Audit service subscribes.</summary>
public static class AuditTopics
{
    public const string Audit = "chronicle.audit";
}

/// <summary>
/// What every Chronicle service tells the Audit service, version 1: one access to patient data (or its refusal), as the
/// emitting service recorded it in its own outbox. The fields are those of Chronicle.Auditing's AuditEntry; the entry id
/// is chosen by the emitter, so a re-delivered entry is recognised and chained once.
/// </summary>
public static class AuditIntegrationEventsV1
{
    /// <param name="Action">Read | VRead | History | Search | Everything | Create | Update | EnteredInError | Replay | Verify.</param>
    /// <param name="Outcome">The HTTP status the caller got (gRPC statuses mapped to their HTTP equivalents).</param>
    /// <param name="AccessGrounds">
    /// Why the caller could reach the patient's record (registered-practice | module-enabled-at-practice | patient-self |
    /// break-glass); absent when none was decided, and in events from emitters that predate it.
    /// </param>
    /// <param name="AgentKind">
    /// What kind of agent acted (staff | patient | related-person | system); absent in events from emitters that predate it.
    /// </param>
    /// <param name="KeyId">The emitter's signing key (16 hex digits of the SHA-256 of its public key).</param>
    /// <param name="Signature">
    /// The emitter's ECDSA P-256 signature (base64, IEEE P1363) over <c>chronicle-audit-entry/v1\n</c> and the entry's
    /// canonical form (Chronicle.Auditing's AuditCanonicalForm). Optional in the contract, so version 1 readers and writers
    /// stay compatible; the Audit service refuses an entry without a valid one.
    /// </param>
    [IntegrationEvent("chronicle.audit.entry-recorded.v1", AuditTopics.Audit)]
    public sealed record AuditEntryRecorded(
        Guid EntryId, DateTimeOffset OccurredAt, string Service,
        string? UserId, string? Role, string? OrganisationOds, string? ClientId, string? OnBehalfOf,
        string? PatientId, string Action, string? ResourceType, string? ResourceId, string? Query,
        int Outcome, string? CorrelationId, bool BreakGlass, string? BreakGlassReason, string? AccessGrounds = null,
        string? KeyId = null, string? Signature = null, string? AgentKind = null);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(AuditIntegrationEventsV1.AuditEntryRecorded))]
public sealed partial class AuditIntegrationEventsJsonContext : JsonSerializerContext
{
    public static IntegrationEventCatalog Catalog() => new IntegrationEventCatalog().Register(Default.AuditEntryRecorded);
}
