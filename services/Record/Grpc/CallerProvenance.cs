using Chronicle.EventStore;
using Chronicle.Record.Domain;
using Grpc.Core;

namespace Chronicle.Record.Grpc;

/// <summary>Who is calling, on whose behalf and why: the provenance every event of their command carries.</summary>
public interface ICallerProvenance
{
    EventMetadata Read(ServerCallContext context);
}

/// <summary>
/// Who: from the validated access token (sub, role, org, client_id) when the call is authenticated, which it always is
/// when security is on; the x-user-id / x-user-role / x-organisation-ods / x-client-id headers count only in a host run
/// with security explicitly disabled. On whose behalf, why and the correlation id are the caller's statements (headers).
/// </summary>
public sealed class RequestHeaderProvenance : ICallerProvenance
{
    public EventMetadata Read(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.RequestHeaders;
        var user = context.GetHttpContext().User;
        var authenticated = user.Identity?.IsAuthenticated == true;
        // The caller's statements are stored on every event and served back (history, FHIR Provenance): plain text only.
        var errors = new ValidationErrors();
        string? Header(string key)
        {
            var value = headers.GetValue(key) is { Length: > 0 } text ? text : null;
            RecordRules.Text(errors, $"{key} (metadata)", value, key == "x-reason" ? RecordRules.MaxReasonLength : RecordRules.MaxShortTextLength);
            return value;
        }

        string? Claimed(string claim, string header) => authenticated
            ? user.FindFirst(claim)?.Value is { Length: > 0 } value ? value : null
            : Header(header);

        var metadata = new EventMetadata
        {
            UserId = Claimed("sub", "x-user-id"),
            Role = Claimed("role", "x-user-role"),
            OrganisationOds = Claimed("org", "x-organisation-ods"),
            OnBehalfOf = Header("x-on-behalf-of"),
            ClientId = Claimed("client_id", "x-client-id"),
            Reason = Header("x-reason"),
            CorrelationId = Header("x-correlation-id"),
        };
        errors.ThrowIfAny();
        return metadata;
    }
}
