using System.Diagnostics;
using Chronicle.EventStore;
using Chronicle.Record.Domain;
using Chronicle.Security;
using Grpc.Core;

namespace Chronicle.Record.Grpc;

/// <summary>Who is calling, on whose behalf and why: the provenance every event of their command carries.</summary>
public interface ICallerProvenance
{
    EventMetadata Read(ServerCallContext context);
}

/// <summary>
/// Who, on whose behalf, why and the correlation id, as libs/Security's <see cref="Caller"/> reads them for access checks
/// and audit entries alike: who from the validated access token when the call is authenticated (always, when security is
/// on), the x-user-id / x-user-role / x-organisation-ods / x-client-id headers only in a host run with security
/// explicitly disabled; the rest are the caller's statements (headers). With them, the request's W3C trace
/// (<c>traceparent</c> of <see cref="Activity.Current"/>).
/// </summary>
public sealed class RequestHeaderProvenance : ICallerProvenance
{
    public EventMetadata Read(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        var caller = Caller.From(http);
        // What the caller stated is stored on every event and served back (history, FHIR Provenance): plain text only.
        var errors = new ValidationErrors();
        void Stated(string header, string? value, int maxLength = RecordRules.MaxShortTextLength) =>
            RecordRules.Text(errors, $"{header} (metadata)", value, maxLength);
        if (http.User.Identity?.IsAuthenticated != true)
        {
            Stated(Caller.UserIdHeader, caller.Subject);
            Stated(Caller.RoleHeader, caller.Role);
            Stated(Caller.OrganisationHeader, caller.Organisation);
            Stated(Caller.ClientIdHeader, caller.ClientId);
        }

        Stated(Caller.OnBehalfOfHeader, caller.OnBehalfOf);
        Stated(Caller.ReasonHeader, caller.Reason, RecordRules.MaxReasonLength);
        Stated(Caller.CorrelationIdHeader, caller.CorrelationId);
        errors.ThrowIfAny();
        return new EventMetadata
        {
            UserId = caller.Subject,
            Role = caller.Role,
            OrganisationOds = caller.Organisation,
            OnBehalfOf = caller.OnBehalfOf,
            ClientId = caller.ClientId,
            Reason = caller.Reason,
            CorrelationId = caller.CorrelationId,
            // The request's trace, so that what the events cause (the outbox relay's publish, a consumer's handling)
            // joins it. A retry in another trace is still the same command: the store ignores this field on a re-send.
            TraceParent = Activity.Current?.Id,
        };
    }
}
