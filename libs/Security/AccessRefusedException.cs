using System.Net;
using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Security;

/// <summary>What kind of refusal: each transport has its own word for it.</summary>
public enum AccessRefusalKind
{
    /// <summary>No valid token: FHIR 401, gRPC UNAUTHENTICATED.</summary>
    Unauthenticated,

    /// <summary>A token that may not do this: FHIR 403, gRPC PERMISSION_DENIED.</summary>
    Forbidden,

    /// <summary>A malformed statement the decision depends on (a break-glass reason): FHIR 400, gRPC INVALID_ARGUMENT.</summary>
    InvalidRequest,
}

/// <summary>
/// libs/Security's refusal, in no transport's terms: the FHIR side answers it with an OperationOutcome
/// (<see cref="AccessRefusalFhirMapping"/>) and the gRPC side with an <see cref="RpcException"/>
/// (<see cref="AccessRefusalGrpcMapping"/>), each mapped in one place. Its message is the sentence the caller reads.
/// </summary>
public sealed class AccessRefusedException : Exception
{
    public AccessRefusedException(AccessRefusalKind kind, string message)
        : base(message) => Kind = kind;

    public AccessRefusedException()
        : this(AccessRefusalKind.Forbidden, AccessRefusals.Forbidden)
    {
    }

    public AccessRefusedException(string message)
        : this(AccessRefusalKind.Forbidden, message)
    {
    }

    public AccessRefusedException(string message, Exception innerException)
        : base(message, innerException) => Kind = AccessRefusalKind.Forbidden;

    public AccessRefusalKind Kind { get; }

    public static AccessRefusedException Forbidden(string message) => new(AccessRefusalKind.Forbidden, message);
}

/// <summary>The FHIR side's one mapping of a refusal: 401, 403 or 400, with an OperationOutcome.</summary>
public sealed class AccessRefusalFhirMapping : IFhirErrorMapping
{
    public FhirException? Map(Exception error) => error is AccessRefusedException refusal ? ToFhir(refusal) : null;

    public static FhirException ToFhir(AccessRefusedException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return refusal.Kind switch
        {
            AccessRefusalKind.Unauthenticated => new FhirException(HttpStatusCode.Unauthorized, OperationOutcome.IssueType.Login, refusal.Message),
            AccessRefusalKind.InvalidRequest => FhirException.BadRequest(refusal.Message),
            _ => new FhirException(HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden, refusal.Message),
        };
    }
}

/// <summary>
/// The gRPC side's one mapping of a refusal, as an interceptor around every method (registered with the security
/// interceptor), so a refusal raised by the security checks or by a handler reaches the caller as its gRPC status.
/// </summary>
public sealed class AccessRefusalGrpcMapping : Interceptor
{
    public static RpcException ToRpc(AccessRefusedException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var code = refusal.Kind switch
        {
            AccessRefusalKind.Unauthenticated => StatusCode.Unauthenticated,
            AccessRefusalKind.InvalidRequest => StatusCode.InvalidArgument,
            _ => StatusCode.PermissionDenied,
        };
        return new RpcException(new Status(code, refusal.Message));
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (AccessRefusedException refusal)
        {
            throw ToRpc(refusal);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (AccessRefusedException refusal)
        {
            throw ToRpc(refusal);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (AccessRefusedException refusal)
        {
            throw ToRpc(refusal);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (AccessRefusedException refusal)
        {
            throw ToRpc(refusal);
        }
    }
}
