using System.Security.Claims;

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

/// <summary>Who is calling, read from a validated access token.</summary>
public sealed record Caller(
    string? Subject,
    string? ClientId,
    string? Role,
    string? Organisation,
    string? PatientId,
    IReadOnlyList<SmartScope> Scopes)
{
    /// <summary>A patient signed in for themselves: reaches their own record only.</summary>
    public bool IsPatient => PatientId is not null;

    /// <summary>A member of practice staff.</summary>
    public bool IsStaff => Role is not null && Organisation is not null;

    public static Caller From(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        string? Claim(string type) => principal.FindFirst(type)?.Value is { Length: > 0 } value ? value : null;
        var scopes = principal.FindAll(ChronicleClaims.Scope).SelectMany(c => SmartScope.ParseList(c.Value)).ToList();
        return new Caller(
            Claim(ChronicleClaims.Subject), Claim(ChronicleClaims.ClientId), Claim(ChronicleClaims.Role),
            Claim(ChronicleClaims.Organisation), Claim(ChronicleClaims.Patient), scopes);
    }

    public bool HasScopeFor(string resourceType, ScopeAccess access) => Scopes.Any(s => s.Permits(resourceType, access));
}
