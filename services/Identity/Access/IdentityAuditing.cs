using Chronicle.Auditing;
using Chronicle.Contracts;

namespace Chronicle.Identity.Access;

/// <summary>
/// Which of Identity's calls touch patient data, and so are audited like the Record's: every legitimate-relationship
/// answer (it tells which caller may reach which patient; <see cref="AccessGrpcService"/>) and every change to or view of
/// which supplier modules a practice lets reach its patients. Sign-in, tokens, discovery and module self-registration
/// concern no patient. Each endpoint declares which it is; this names what a module endpoint's entry is about.
/// </summary>
public static class IdentityAuditing
{
    public const string Service = "identity";

    /// <summary>
    /// <c>/admin/practices/{ods}/modules[/{clientId}]</c>: the practice (as the directory names it; a malformed code is
    /// audited as sent), and the module when one is named.
    /// </summary>
    public static FhirAuditTarget PracticeModules(HttpRequest request, AuditAction action)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ods = request.RouteValues["ods"] as string ?? "";
        var practice = OdsCode.Normalise(ods) ?? ods;
        return request.RouteValues["clientId"] is string clientId
            ? new FhirAuditTarget(action, "PracticeModule", $"{practice}/{clientId}", null)
            : new FhirAuditTarget(action, "PracticeModule", practice, null);
    }
}
