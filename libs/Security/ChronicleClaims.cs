using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Chronicle.Security;

/// <summary>The claims Chronicle's access tokens carry, as they appear in the JWT (inbound claim mapping is off).</summary>
public static class ChronicleClaims
{
    /// <summary>The user's account id, or the client id for a client-credentials token.</summary>
    public const string Subject = "sub";
    /// <summary>A staff member's role: one of <see cref="StaffRoles"/>.</summary>
    public const string Role = "role";
    /// <summary>The ODS code of the staff member's practice.</summary>
    public const string Organisation = "org";
    public const string ClientId = "client_id";
    /// <summary>The client a token was issued to, when it carries no <see cref="ClientId"/>.</summary>
    public const string AuthorizedParty = "azp";
    /// <summary>On whose behalf the user acts, when the token says so.</summary>
    public const string OnBehalfOf = "on_behalf_of";
    /// <summary>A patient user's own patient record id.</summary>
    public const string Patient = "patient";
    /// <summary>Space-separated granted scopes.</summary>
    public const string Scope = "scope";
}

/// <summary>Staff roles, as the <c>role</c> claim spells them.</summary>
public static class StaffRoles
{
    public const string Gp = "gp";
    public const string Nurse = "nurse";
    public const string Receptionist = "receptionist";
    public const string Prescriber = "prescriber";
    public const string PracticeManager = "practice-manager";
    public const string Auditor = "auditor";

    public static IReadOnlyList<string> All { get; } = [Gp, Nurse, Receptionist, Prescriber, PracticeManager, Auditor];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}

/// <summary>The kinds of agent an audit entry names (<see cref="Caller.AgentKind"/>).</summary>
public static class AgentKinds
{
    public const string Staff = "staff";
    public const string Patient = "patient";

    /// <summary>A person acting for a patient (a proxy: a parent, a carer).</summary>
    public const string RelatedPerson = "related-person";

    /// <summary>A supplier module or other system acting as itself, with no person behind the call.</summary>
    public const string System = "system";
}

/// <summary>
/// Who is calling: the one reading of the caller that access checks, event provenance and audit entries all use, so an
/// event and its audit entry can never disagree about who acted.
/// <list type="bullet">
/// <item>Who (subject, client, role, organisation, patient, scopes): from the validated access token whenever the request
/// is authenticated, and then from nothing else; the <c>x-user-id</c>, <c>x-client-id</c>, <c>x-user-role</c> and
/// <c>x-organisation-ods</c> headers count only for an unauthenticated request, which reaches patient data only in a host
/// run with security explicitly switched off.</item>
/// <item>The caller's statements (on whose behalf, why, the correlation id): from the <c>x-on-behalf-of</c>,
/// <c>x-reason</c> and <c>x-correlation-id</c> headers (an <c>on_behalf_of</c> claim wins over the header).</item>
/// </list>
/// </summary>
public sealed record Caller(
    string? Subject,
    string? ClientId,
    string? Role,
    string? Organisation,
    string? PatientId,
    IReadOnlyList<SmartScope> Scopes)
{
    public const string UserIdHeader = "x-user-id";
    public const string RoleHeader = "x-user-role";
    public const string OrganisationHeader = "x-organisation-ods";
    public const string ClientIdHeader = "x-client-id";
    public const string OnBehalfOfHeader = "x-on-behalf-of";
    public const string ReasonHeader = "x-reason";
    public const string CorrelationIdHeader = "x-correlation-id";

    /// <summary>On whose behalf the caller acts (e.g. a patient's proxy), as they state it.</summary>
    public string? OnBehalfOf { get; init; }

    /// <summary>Why, as the caller states it.</summary>
    public string? Reason { get; init; }

    public string? CorrelationId { get; init; }

    /// <summary>A patient signed in for themselves: reaches their own record only.</summary>
    public bool IsPatient => PatientId is not null;

    /// <summary>A member of practice staff.</summary>
    public bool IsStaff => Role is not null && Organisation is not null;

    /// <summary>
    /// What kind of agent acts (<see cref="AgentKinds"/>), as an audit trail records it: a patient for themselves, a person
    /// acting for a patient, a system (a supplier module acting as itself: its token's subject is its client id), or
    /// staff (any other signed-in person). Null when nothing names the caller.
    /// </summary>
    public string? AgentKind => IsPatient
        ? OnBehalfOf is null ? AgentKinds.Patient : AgentKinds.RelatedPerson
        : Subject is null || Subject == ClientId
            ? ClientId is null ? null : AgentKinds.System
            : AgentKinds.Staff;

    /// <summary>The caller of an HTTP request or gRPC call (a gRPC call's metadata are its request headers).</summary>
    public static Caller From(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Request.Headers;
        string? Header(string name) => headers[name].FirstOrDefault() is { Length: > 0 } value ? value : null;
        var who = context.User.Identity?.IsAuthenticated == true
            ? From(context.User)
            : new Caller(Header(UserIdHeader), Header(ClientIdHeader), Header(RoleHeader), Header(OrganisationHeader), null, []);
        return who with
        {
            OnBehalfOf = who.OnBehalfOf ?? Header(OnBehalfOfHeader),
            Reason = Header(ReasonHeader),
            CorrelationId = Header(CorrelationIdHeader),
        };
    }

    /// <summary>Who the validated token says is calling: for access decisions, which never take a header's word.</summary>
    public static Caller From(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        string? Claim(string type) => principal.FindFirst(type)?.Value is { Length: > 0 } value ? value : null;
        var scopes = principal.FindAll(ChronicleClaims.Scope).SelectMany(c => SmartScope.ParseList(c.Value)).ToList();
        return new Caller(
            Claim(ChronicleClaims.Subject), Claim(ChronicleClaims.ClientId) ?? Claim(ChronicleClaims.AuthorizedParty), Claim(ChronicleClaims.Role),
            Claim(ChronicleClaims.Organisation), Claim(ChronicleClaims.Patient), scopes)
        {
            OnBehalfOf = Claim(ChronicleClaims.OnBehalfOf),
        };
    }

    public bool HasScopeFor(string resourceType, ScopeAccess access) => Scopes.Any(s => s.Permits(resourceType, access));
}
