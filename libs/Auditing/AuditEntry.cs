using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chronicle.Auditing;

/// <summary>What was done to patient data, or refused.</summary>
public enum AuditAction
{
    Read,
    VRead,
    History,
    Search,
    Everything,
    Create,
    Update,
    EnteredInError,
    Replay,
    Verify,

    /// <summary>Patient/$summary: the record summarised for another care setting.</summary>
    Summary,
}

/// <summary>
/// One access to patient data, as the service that served (or refused) it saw it. This record is its one shape: its
/// property order and formats are the canonical form (<see cref="AuditCanonicalForm"/>) that is hashed and signed, and
/// the wire event (<c>chronicle.audit.entry-recorded.v1</c>) is the same JSON with the emitter's signature beside it. (The
/// auditors' JSON API serialises it in its own, earlier style; the canonical formats are set on this shape by
/// <see cref="AuditCanonicalForm"/> alone.) Every service emits one for each
/// read, search, $everything and write, and for each refusal; the Audit service chains them. <see cref="EntryId"/>
/// is chosen by the emitter and makes delivery idempotent: the same entry is never chained twice.
/// </summary>
public sealed record AuditEntry
{
    [JsonPropertyOrder(0)]
    public required Guid EntryId { get; init; }

    /// <summary>When the request was answered, UTC, to the microsecond.</summary>
    [JsonPropertyOrder(1)]
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The service that served the request, e.g. "record".</summary>
    [JsonPropertyOrder(2)]
    public required string Service { get; init; }

    [JsonPropertyOrder(3)]
    public string? UserId { get; init; }
    [JsonPropertyOrder(4)]
    public string? Role { get; init; }

    /// <summary>The caller's organisation (ODS code).</summary>
    [JsonPropertyOrder(5)]
    public string? OrganisationOds { get; init; }

    /// <summary>The client application or supplier module.</summary>
    [JsonPropertyOrder(6)]
    public string? ClientId { get; init; }

    [JsonPropertyOrder(7)]
    public string? OnBehalfOf { get; init; }

    /// <summary>The patient whose data was touched; null for a search that named no patient.</summary>
    [JsonPropertyOrder(8)]
    public string? PatientId { get; init; }

    [JsonPropertyOrder(9)]
    public required AuditAction Action { get; init; }
    [JsonPropertyOrder(10)]
    public string? ResourceType { get; init; }
    [JsonPropertyOrder(11)]
    public string? ResourceId { get; init; }

    /// <summary>The search or operation parameters, as the query string the caller sent.</summary>
    [JsonPropertyOrder(12)]
    public string? Query { get; init; }

    /// <summary>The HTTP status (gRPC statuses are mapped to their HTTP equivalents): 200, 401, 403, 404...</summary>
    [JsonPropertyOrder(13)]
    public required int Outcome { get; init; }

    [JsonPropertyOrder(14)]
    public string? CorrelationId { get; init; }
    [JsonPropertyOrder(15)]
    public bool BreakGlass { get; init; }
    [JsonPropertyOrder(16)]
    public string? BreakGlassReason { get; init; }

    /// <summary>
    /// Why the caller was allowed to reach the patient's record: "registered-practice", "module-enabled-at-practice",
    /// "patient-self", "break-glass" (see Chronicle.Security's AccessGrounds). Null when no patient access was decided
    /// (a refusal, a search naming no patient, security switched off).
    /// </summary>
    [JsonPropertyOrder(17)]
    public string? AccessGrounds { get; init; }

    /// <summary>
    /// What kind of agent acted: "staff", "patient", "related-person" (a proxy) or "system" (a supplier module acting as
    /// itself; see Chronicle.Security's AgentKinds). Null in entries written before it was recorded, and when nothing named
    /// the caller.
    /// </summary>
    [JsonPropertyOrder(18)]
    public string? AgentKind { get; init; }
}

/// <summary>
/// An entry's time in the canonical form: UTC with seven fractional digits and a Z. Read from any ISO 8601 time (a wire
/// event from an emitter that wrote the serializer's default form, say), as UTC.
/// </summary>
public sealed class CanonicalUtcTimeConverter : JsonConverter<DateTimeOffset>
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time.ToUniversalTime()
            : throw new JsonException("An audit entry's time must be an ISO 8601 date and time.");

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AuditEntry))]
internal sealed partial class AuditEntryJsonContext : JsonSerializerContext;
