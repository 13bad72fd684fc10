using Chronicle.Auditing;
using Microsoft.AspNetCore.Http;

namespace Chronicle.Audit.Api;

/// <summary>Why a caller may not use the auditors' APIs: 401 (no identity at all) or 403 (not an auditor).</summary>
public sealed record AccessRefusal(int Status, string Reason);

/// <summary>
/// The one rule for the Audit service's query, replay and verify APIs: only the auditor role. The caller is read as
/// <see cref="AuditCaller"/> reads it (a validated token's claims when authentication puts them on the request, else
/// Chronicle's x-user-id / x-user-role headers), so enforcing tokens changes nothing here.
/// </summary>
public static class AuditorAccess
{
    public const string AuditorRole = "auditor";

    public static AccessRefusal? Check(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = AuditCaller.From(context.User, context.Request.Headers);
        if (caller.UserId is null && caller.Role is null)
            return new AccessRefusal(StatusCodes.Status401Unauthorized, "The audit trail is for auditors: say who you are (a user and the auditor role).");
        return string.Equals(caller.Role, AuditorRole, StringComparison.OrdinalIgnoreCase)
            ? null
            : new AccessRefusal(StatusCodes.Status403Forbidden,
                $"Only the {AuditorRole} role may query, replay or verify the audit trail; the caller's role is '{caller.Role ?? "none"}'.");
    }

    /// <summary>The headers that carry the auditor's identity on to the services a replay calls, so they audit the auditor.</summary>
    public static Grpc.Core.Metadata ForwardedIdentity(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var caller = AuditCaller.From(context.User, context.Request.Headers);
        var metadata = new Grpc.Core.Metadata { { "x-client-id", "chronicle-audit" }, { "x-reason", "audit replay" } };
        void Add(string key, string? value)
        {
            if (value is not null)
                metadata.Add(key, value);
        }

        Add("x-user-id", caller.UserId);
        Add("x-user-role", caller.Role);
        Add("x-organisation-ods", caller.OrganisationOds);
        Add("x-on-behalf-of", caller.OnBehalfOf);
        Add("x-correlation-id", caller.CorrelationId ?? context.TraceIdentifier);
        return metadata;
    }
}
