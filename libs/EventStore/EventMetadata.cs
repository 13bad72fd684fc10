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

    public static EventMetadata Empty { get; } = new();
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EventMetadata))]
internal sealed partial class EventMetadataJsonContext : JsonSerializerContext;
