using Chronicle.EventStore;
using Grpc.Core;

namespace Chronicle.Record.Grpc;

/// <summary>Who is calling, on whose behalf and why: the provenance every event of their command carries.</summary>
public interface ICallerProvenance
{
    EventMetadata Read(ServerCallContext context);
}

/// <summary>
/// Takes provenance from request headers as the caller states it. Until authentication arrives nothing
/// vouches for these values; the authenticated replacement reads the same fields from the caller's token.
/// </summary>
public sealed class RequestHeaderProvenance : ICallerProvenance
{
    public EventMetadata Read(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.RequestHeaders;
        string? Header(string key) => headers.GetValue(key) is { Length: > 0 } value ? value : null;

        return new EventMetadata
        {
            UserId = Header("x-user-id"),
            Role = Header("x-user-role"),
            OrganisationOds = Header("x-organisation-ods"),
            OnBehalfOf = Header("x-on-behalf-of"),
            ClientId = Header("x-client-id"),
            Reason = Header("x-reason"),
            CorrelationId = Header("x-correlation-id"),
        };
    }
}
