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
}

/// <summary>
/// One access to patient data, as the service that served (or refused) it saw it. Every service emits one for each
/// read, search, $everything and write, and for each refusal; the Audit service chains them. <see cref="EntryId"/>
/// is chosen by the emitter and makes delivery idempotent: the same entry is never chained twice.
/// </summary>
public sealed record AuditEntry
{
    public required Guid EntryId { get; init; }

    /// <summary>When the request was answered, UTC, to the microsecond.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The service that served the request, e.g. "record".</summary>
    public required string Service { get; init; }

    public string? UserId { get; init; }
    public string? Role { get; init; }

    /// <summary>The caller's organisation (ODS code).</summary>
    public string? OrganisationOds { get; init; }

    /// <summary>The client application or supplier module.</summary>
    public string? ClientId { get; init; }

    public string? OnBehalfOf { get; init; }

    /// <summary>The patient whose data was touched; null for a search that named no patient.</summary>
    public string? PatientId { get; init; }

    public required AuditAction Action { get; init; }
    public string? ResourceType { get; init; }
    public string? ResourceId { get; init; }

    /// <summary>The search or operation parameters, as the query string the caller sent.</summary>
    public string? Query { get; init; }

    /// <summary>The HTTP status (gRPC statuses are mapped to their HTTP equivalents): 200, 401, 403, 404...</summary>
    public required int Outcome { get; init; }

    public string? CorrelationId { get; init; }
    public bool BreakGlass { get; init; }
    public string? BreakGlassReason { get; init; }

    /// <summary>
    /// Why the caller was allowed to reach the patient's record: "registered-practice", "module-enabled-at-practice",
    /// "patient-self", "break-glass" (see Chronicle.Security's AccessGrounds). Null when no patient access was decided
    /// (a refusal, a search naming no patient, security switched off).
    /// </summary>
    public string? AccessGrounds { get; init; }
}
