using Chronicle.Auditing;
using Chronicle.Security;
using Microsoft.AspNetCore.Http;

namespace Chronicle.Audit.Api;

/// <summary>Why a caller may not use the auditors' APIs: 401 (no identity at all) or 403 (not an auditor).</summary>
public sealed record AccessRefusal(int Status, string Reason);

/// <summary>
/// The one rule for the Audit service's query, replay and verify APIs: only the auditor role. With security on (the
/// default) the caller is the validated token's claims only (<c>role</c> = auditor); the x-user-id / x-user-role
/// headers count only in a host run with <c>Chronicle:Security:Disabled=true</c>.
/// </summary>
public static class AuditorAccess
{
    public const string AuditorRole = "auditor";

    public static AccessRefusal? Check(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = Caller.From(context);
        if (caller.Subject is null && caller.Role is null)
            return new AccessRefusal(StatusCodes.Status401Unauthorized, "The audit trail is for auditors: say who you are (a user and the auditor role).");
        if (string.Equals(caller.Role, AuditorRole, StringComparison.OrdinalIgnoreCase))
        {
            context.AuditAccessGrounds(Chronicle.Security.AccessGrounds.Auditor);
            return null;
        }

        return new AccessRefusal(StatusCodes.Status403Forbidden,
            $"Only the {AuditorRole} role may query, replay or verify the audit trail; the caller's role is '{caller.Role ?? "none"}'.");
    }

    /// <summary>The headers that carry the auditor's identity on to the services a replay calls, so they audit the auditor.</summary>
    public static Grpc.Core.Metadata ForwardedIdentity(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = Caller.From(context);
        var metadata = new Grpc.Core.Metadata { { "x-client-id", "chronicle-audit" }, { "x-reason", "audit replay" } };
        // The auditor's own token: the Record checks it, allows auditors to replay, and audits the auditor.
        if (context.Request.Headers.Authorization.FirstOrDefault() is { Length: > 0 } authorization)
            metadata.Add("authorization", authorization);
        void Add(string key, string? value)
        {
            if (value is not null)
                metadata.Add(key, value);
        }

        Add("x-user-id", caller.Subject);
        Add("x-user-role", caller.Role);
        Add("x-organisation-ods", caller.Organisation);
        Add("x-on-behalf-of", caller.OnBehalfOf);
        Add("x-correlation-id", caller.CorrelationId ?? context.TraceIdentifier);
        return metadata;
    }
}
