using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chronicle.Auditing;

public sealed class GrpcAuditOptions
{
    public string Service { get; set; } = "unknown";

    /// <summary>What a method does to patient data, by method name (e.g. "GetRecord"); null leaves the method unaudited.</summary>
    public Func<string, AuditAction?> Classify { get; set; } = DefaultClassify;

    /// <summary>Reads are Get*/List*/Search*; history and as-at reads are named for it; everything else writes.</summary>
    public static AuditAction? DefaultClassify(string method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return method switch
        {
            _ when method.Contains("History", StringComparison.Ordinal) => AuditAction.History,
            _ when method.StartsWith("Get", StringComparison.Ordinal) => AuditAction.Read,
            _ when method.StartsWith("Search", StringComparison.Ordinal) || method.StartsWith("List", StringComparison.Ordinal) => AuditAction.Search,
            _ when method.StartsWith("Register", StringComparison.Ordinal) || method.StartsWith("Create", StringComparison.Ordinal) => AuditAction.Create,
            _ when method.Contains("EnteredInError", StringComparison.Ordinal) => AuditAction.EnteredInError,
            _ => AuditAction.Update,
        };
    }
}

public static class AuditServiceCollectionExtensions
{
    /// <summary>The service's audit trail: entries made durable in its own event store (the registered IEventStore).</summary>
    public static IServiceCollection AddAuditTrail(this IServiceCollection services)
    {
        services.TryAddSingleton<IAuditTrail, EventStoreAuditTrail>();
        return services;
    }

    /// <summary>Audits every unary gRPC call (and its refusal or failure) before its reply is sent.</summary>
    public static IServiceCollection AddGrpcAuditing(this IServiceCollection services, Action<GrpcAuditOptions> configure)
    {
        services.AddAuditTrail();
        services.Configure(configure);
        services.AddGrpc(options =>
        {
            // First in line whatever was registered before, so a refusal by a later interceptor is audited too.
            options.Interceptors.Add<AuditGrpcInterceptor>();
            var registration = options.Interceptors[^1];
            options.Interceptors.RemoveAt(options.Interceptors.Count - 1);
            options.Interceptors.Insert(0, registration);
        });
        return services;
    }
}

/// <summary>
/// The gRPC side of the audit trail: the entry for a call is durable before its reply (or its error) goes back. The
/// patient is read from the request's or the reply's <c>patient_id</c> field, which Chronicle's contracts name so.
/// Registered first, so it sees the status the service's own error mapping chose.
/// </summary>
public sealed class AuditGrpcInterceptor(IAuditTrail trail, Microsoft.Extensions.Options.IOptions<GrpcAuditOptions> options) : Interceptor
{
    private const string DaprServicePrefix = "/dapr.proto.";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        // Dapr's app callback carries events and health checks between services, not anyone's request for patient data.
        if (context.Method.StartsWith(DaprServicePrefix, StringComparison.Ordinal) || options.Value.Classify(method) is not { } action)
            return await continuation(request, context).ConfigureAwait(false);

        TResponse response;
        try
        {
            response = await continuation(request, context).ConfigureAwait(false);
        }
        catch (RpcException error)
        {
            await trail.RecordAsync(Entry(context, method, action, PatientOf(request), HttpStatusOf(error.StatusCode))).ConfigureAwait(false);
            throw;
        }
        catch
        {
            await trail.RecordAsync(Entry(context, method, action, PatientOf(request), StatusCodes.Status500InternalServerError)).ConfigureAwait(false);
            throw;
        }

        await trail.RecordAsync(Entry(context, method, action, PatientOf(request) ?? PatientOf(response), StatusCodes.Status200OK)).ConfigureAwait(false);
        return response;
    }

    private AuditEntry Entry(ServerCallContext context, string method, AuditAction action, string? patientId, int status)
    {
        var http = context.GetHttpContext();
        http.Features.Set(GrpcCallAudited.Instance);
        return GrpcAuditEntries.Build(http, options.Value.Service, method, action, patientId, status);
    }

    private static string? PatientOf(object? message) =>
        message is IMessage protobuf && protobuf.Descriptor.FindFieldByName("patient_id") is { } field
        && field.Accessor.GetValue(protobuf) is string { Length: > 0 } id
            ? id
            : null;

    /// <summary>The HTTP status an auditor reads: the usual mapping of gRPC codes.</summary>
    public static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.OK => 200,
        StatusCode.InvalidArgument or StatusCode.OutOfRange => 400,
        StatusCode.Unauthenticated => 401,
        StatusCode.PermissionDenied => 403,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists or StatusCode.Aborted => 409,
        StatusCode.FailedPrecondition => 412,
        StatusCode.ResourceExhausted => 429,
        StatusCode.Cancelled => 499,
        StatusCode.Unimplemented => 501,
        StatusCode.Unavailable => 503,
        StatusCode.DeadlineExceeded => 504,
        _ => 500,
    };
}

/// <summary>Marks a gRPC call whose audit entry the interceptor recorded, so the refusal middleware does not record it twice.</summary>
internal sealed class GrpcCallAudited
{
    public static readonly GrpcCallAudited Instance = new();
}

internal static class GrpcAuditEntries
{
    public static AuditEntry Build(HttpContext http, string service, string method, AuditAction action, string? patientId, int status) =>
        HttpAuditExtensions.BuildEntry(http, service, new FhirAuditTarget(action, "grpc:" + method, patientId, patientId),
            http.Features.Get<AuditFeature>() ?? new AuditFeature(), status);
}

public static class GrpcRefusalAuditing
{
    /// <summary>
    /// Audits gRPC calls refused before any interceptor ran (authentication and authorization middleware answer
    /// them with a trailers-only status), so a refusal is in the trail whichever layer refused it. Place it before
    /// the authentication middleware; needs <see cref="AuditServiceCollectionExtensions.AddGrpcAuditing"/>.
    /// </summary>
    public static IApplicationBuilder UseGrpcRefusalAuditing(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(async (context, next) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true
                || context.Request.Path.StartsWithSegments("/dapr.proto", StringComparison.Ordinal))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            context.Response.OnStarting(async () =>
            {
                if (context.Features.Get<GrpcCallAudited>() is not null
                    || !int.TryParse(context.Response.Headers["grpc-status"].FirstOrDefault(), out var code) || code == 0)
                    return;
                var options = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<GrpcAuditOptions>>().Value;
                var path = context.Request.Path.Value ?? "";
                var method = path[(path.LastIndexOf('/') + 1)..];
                if (options.Classify(method) is not { } action)
                    return;
                context.Features.Set(GrpcCallAudited.Instance);
                var trail = context.RequestServices.GetRequiredService<IAuditTrail>();
                await trail.RecordAsync(GrpcAuditEntries.Build(context, options.Service, method, action, null,
                    AuditGrpcInterceptor.HttpStatusOf((StatusCode)code))).ConfigureAwait(false);
            });
            await next(context).ConfigureAwait(false);
        });
    }
}
