using Chronicle.Contracts.Identity.V1;
using Chronicle.Messaging.Invocation;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Security;

/// <summary>
/// The Identity service's Access service (legitimate-relationship answers), called by app id through service invocation:
/// under Dapr through this app's sidecar, which reaches Identity's over mTLS and hands the call to Identity's loopback-only
/// gRPC port with Identity's app API token; under the direct transport straight to <c>Chronicle:Apps:identity:Grpc</c>
/// with that token. Never straight to an Identity pod.
/// </summary>
internal static class IdentityAccessInvocation
{
    /// <summary>The Identity service's app id.</summary>
    public const string IdentityAppId = "identity";

    public static IServiceCollection AddIdentityAccessClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // A relationship question changes nothing, so it is safe to ask again after a transport failure.
        return services.AddServiceClient<Access.AccessClient>(IdentityAppId,
            client => client.IdempotentMethods.Add($"/{Access.Descriptor.FullName}/CheckPatientAccess"));
    }
}
