using System.Text.Json.Serialization;

namespace Chronicle.EventStore;

/// <summary>
/// Provenance carried by every event: who acted, for whom, through which client, why, and which
/// request or earlier event caused it. The store adds the recorded time itself
/// (<see cref="RecordedEvent.RecordedAt"/>), so a client cannot back-date a fact.
/// </summary>
public sealed record EventMetadata
{
    public string? UserId { get; init; }
    public string? Role { get; init; }

    /// <summary>The acting organisation's ODS code (for a GP practice, e.g. "A81001").</summary>
    public string? OrganisationOds { get; init; }

    /// <summary>The person the action was taken on behalf of, when not the acting user.</summary>
    public string? OnBehalfOf { get; init; }

    /// <summary>The OAuth client or supplier module that sent the command.</summary>
    public string? ClientId { get; init; }

    public string? Reason { get; init; }
    public string? CorrelationId { get; init; }
    public string? CausationId { get; init; }

    /// <summary>
    /// The W3C trace context (<c>traceparent</c>) of the request that appended the event, so that what the event causes
    /// later (the outbox relay's publish, a consumer's handling) joins that request's trace. Diagnostic only: a re-sent
    /// event that differs from the stored one in this field alone is still the same event (the store's idempotent append
    /// ignores it, and keeps the trace it stored first).
    /// </summary>
    public string? TraceParent { get; init; }

    public static EventMetadata Empty { get; } = new();
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EventMetadata))]
internal sealed partial class EventMetadataJsonContext : JsonSerializerContext;
