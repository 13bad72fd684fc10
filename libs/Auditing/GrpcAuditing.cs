using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Chronicle.Messaging.Publishing;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chronicle.Auditing;

public static class AuditServiceCollectionExtensions
{
    /// <summary>The service's audit trail: entries made durable in its own event store (the registered IEventStore).</summary>
    public static IServiceCollection AddAuditTrail(this IServiceCollection services)
    {
        services.TryAddSingleton<IAuditTrail, EventStoreAuditTrail>();
        return services;
    }

    /// <summary>
    /// Auditing for a service, in one call: every HTTP request and gRPC call whose endpoint declares an audit action
    /// (<see cref="AuditedAttribute"/>) is audited before it is answered, refusals and failures included, as
    /// <paramref name="service"/>. It puts the gRPC interceptor first, whatever is registered before or after, so a
    /// refusal by a later interceptor is audited too; puts the HTTP middleware in front of the whole pipeline; relays the
    /// audit outbox to the Audit service (signed with the service's <see cref="AuditSigningKey"/>) when the service runs an
    /// outbox relay; and refuses to start the service while any endpoint declares neither its audit action nor
    /// <see cref="Contracts.NoPatientDataAttribute"/>.
    /// </summary>
    public static IServiceCollection AddAuditing(this IServiceCollection services, string service)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        services.AddAuditTrail();
        services.Configure<AuditingOptions>(options => options.Service = service);
        services.AddGrpc();
        services.AddOptions<GrpcServiceOptions>().PostConfigure(options =>
        {
            // PostConfigure runs after every Configure, so the interceptor is first in line whoever registered theirs later.
            var registration = options.Interceptors.FirstOrDefault(i => i.Type == typeof(AuditGrpcInterceptor));
            if (registration is null)
            {
                options.Interceptors.Add<AuditGrpcInterceptor>();
                registration = options.Interceptors[^1];
            }

            options.Interceptors.Remove(registration);
            options.Interceptors.Insert(0, registration);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, AuditStartupFilter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IIntegrationEventMapper, AuditOutboxMapper>());
        return services;
    }
}

/// <summary>
/// The gRPC side of the audit trail: the entry for a call is durable before its reply (or its error) goes back. The
/// patient is read from the request's or the reply's <c>patient_id</c> field, which Chronicle's contracts name so.
/// Registered first, so it sees the status the service's own error mapping chose.
/// </summary>
public sealed class AuditGrpcInterceptor(IAuditTrail trail, Microsoft.Extensions.Options.IOptions<AuditingOptions> options) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var method = context.Method[(context.Method.LastIndexOf('/') + 1)..];
        // The method's own declaration (its [Audited] or [NoPatientData], or its service's); the Dapr app callback says it
        // touches no patient data.
        if (context.GetHttpContext().GetEndpoint() is not { } endpoint || AuditDeclarations.DeclarationOf(endpoint) is not AuditedAttribute { Action: var action })
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
