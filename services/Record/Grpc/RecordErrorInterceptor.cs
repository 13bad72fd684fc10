using System.Globalization;
using Chronicle.EventStore;
using Chronicle.Record.Domain;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Chronicle.Record.Grpc;

/// <summary>
/// Turns the record's refusals into gRPC statuses with a sentence a person can act on. Anything else is
/// left to gRPC, which reports it as Unknown without internals.
/// </summary>
public sealed class RecordErrorInterceptor : Interceptor
{
    /// <summary>Trailer carrying the record's current version when an expected version is stale.</summary>
    public const string CurrentVersionTrailer = "current-version";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception e) when (ToRpcException(e) is { } rpc)
        {
            throw rpc;
        }
    }

    public static RpcException? ToRpcException(Exception exception) => exception switch
    {
        RecordValidationException e => Status(StatusCode.InvalidArgument, e.Message),
        PatientNotFoundException e => Status(StatusCode.NotFound, e.Message),
        EntryNotFoundException e => Status(StatusCode.NotFound, e.Message),
        NhsNumberAlreadyRegisteredException e => Status(StatusCode.AlreadyExists, e.Message),
        PatientIdUnavailableException e => Status(StatusCode.AlreadyExists, e.Message),
        CommandIdReusedException e => Status(StatusCode.AlreadyExists, e.Message),
        RecordVersionConflictException e => new RpcException(new Status(StatusCode.FailedPrecondition, e.Message),
            new Metadata { { CurrentVersionTrailer, e.CurrentVersion.ToString(CultureInfo.InvariantCulture) } }),
        RecordStateException e => Status(StatusCode.FailedPrecondition, e.Message),
        InvalidAppendException e => Status(StatusCode.InvalidArgument, $"The record cannot store this: {e.Message}"),
        InvalidReadException e => Status(StatusCode.InvalidArgument, e.Message),
        // The store refuses writes until it is re-initialised (restored data ahead of its clock): the service, not the
        // request, is at fault, and a restart brings it back.
        LogClockBehindException => Status(StatusCode.Unavailable,
            "The record cannot be written until its store is re-initialised (data was restored under the running service); restart the Record service."),
        // A retry in a new transaction succeeds.
        AppendOrderConflictException e => Status(StatusCode.Unavailable, e.Message),
        _ => null,
    };

    private static RpcException Status(StatusCode code, string message) => new(new Status(code, message));
}
