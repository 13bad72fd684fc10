using Chronicle.Auditing;
using Chronicle.Contracts;

namespace Chronicle.Identity.Access;

/// <summary>
/// Which of Identity's calls touch patient data, and so are audited like the Record's: every legitimate-relationship
/// answer (it tells which caller may reach which patient) and every change to or view of which supplier modules a
/// practice lets reach its patients. Sign-in, tokens, discovery and module self-registration concern no patient.
/// </summary>
public static class IdentityAuditing
{
    public const string Service = "identity";

    public static AuditAction? ClassifyGrpc(string method) =>
        method == nameof(Contracts.Identity.V1.Access.AccessBase.CheckPatientAccess) ? AuditAction.Read : null;

    /// <summary><c>/admin/practices/{ods}/modules[/{clientId}]</c>: the list is a search, enabling and disabling are updates.</summary>
    public static FhirAuditTarget? ClassifyHttp(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var segments = (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is not ["admin", "practices", var ods, "modules", .. var rest] || rest.Length > 1)
            return null;
        var write = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method);
        var practice = OdsCode.Normalise(ods) ?? ods; // as the directory names it; a malformed code is audited as sent
        return rest is [var clientId]
            ? new FhirAuditTarget(write ? AuditAction.Update : AuditAction.Read, "PracticeModule", $"{practice}/{clientId}", null)
            : new FhirAuditTarget(write ? AuditAction.Update : AuditAction.Search, "PracticeModule", practice, null);
    }
}
