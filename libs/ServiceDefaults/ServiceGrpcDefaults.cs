using Chronicle.Contracts;
using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.ServiceDefaults;

/// <summary>
/// What every service offers on its gRPC listener besides its own services: the standard health service
/// (<c>grpc.health.v1.Health</c>, answering with the same readiness checks as <see cref="ServiceHealth.ReadinessPath"/>,
/// so gRPC probes and HTTP probes cannot disagree) and server reflection (so grpcurl and similar tools can list and call
/// a service's methods without its .proto files).
/// </summary>
public static class ServiceGrpcDefaults
{
    public static IServiceCollection AddServiceGrpcDefaults(this IServiceCollection services)
    {
        services.AddGrpc();
        services.AddGrpcHealthChecks(options =>
        {
            options.Services.Clear();
            options.Services.Map("", result => result.Tags.Contains(ServiceHealth.ReadyTag));
            options.UseHealthChecksCache = false; // each Check runs the checks now, like /readyz
        });
        services.AddGrpcReflection();
        return services;
    }

    public static IEndpointRouteBuilder MapServiceGrpcDefaults(this IEndpointRouteBuilder endpoints)
    {
        // Anonymous like /healthz and /readyz: orchestrators probe without a token.
        endpoints.MapGrpcHealthChecksService().AllowAnonymous()
            .WithMetadata(new NoPatientDataAttribute("gRPC health: the service's readiness checks."));
        endpoints.MapGrpcReflectionService()
            .WithMetadata(new NoPatientDataAttribute("gRPC reflection: the service's schema, no data."));
        return endpoints;
    }
}
