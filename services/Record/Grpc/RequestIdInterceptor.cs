using Chronicle.Security;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Chronicle.Record.Grpc;

/// <summary>
/// Refuses a chronicle.record.v1 request whose <c>patient_id</c> is not a UUID, with INVALID_ARGUMENT, before libs/Security's
/// interceptor runs: that one asks Identity about the request's patient, and junk must neither be sent there nor be
/// answered PERMISSION_DENIED as if it named a patient. A caller without a token is left to the security interceptor,
/// which answers UNAUTHENTICATED whatever the request holds. It runs before the security interceptor (see
/// <see cref="RecordGrpcExtensions.AddRecordCommands"/>) and inside the audit interceptor, so the refusal is audited.
/// Every other id of a request is read, and refused alike, by <see cref="RequestReader"/>.
/// </summary>
public sealed class RequestIdInterceptor : Interceptor
{
    private const string RecordPackage = "chronicle.record.v1";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ArgumentNullException.ThrowIfNull(context);
        if (MalformedPatientId(request) is { } problem && !Unauthenticated(context))
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        return continuation(request, context);
    }

    // A caller without a token hears UNAUTHENTICATED from the security interceptor first, whatever their request holds.
    private static bool Unauthenticated(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        return SecurityStartup.IsEnforced(http.RequestServices) && http.User.Identity?.IsAuthenticated != true;
    }

    private static string? MalformedPatientId<TRequest>(TRequest request)
    {
        if (request is not IMessage message || message.Descriptor.File.Package != RecordPackage
            || message.Descriptor.FindFieldByName("patient_id") is not { FieldType: FieldType.String, IsRepeated: false } field
            || field.Accessor.GetValue(message) is not string { Length: > 0 } text)
            return null;
        var read = new RequestReader();
        read.PatientId(text);
        return read.Problem;
    }
}
