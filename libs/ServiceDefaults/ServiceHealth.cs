using Chronicle.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chronicle.ServiceDefaults;

/// <summary>
/// Every service's health endpoints: liveness (the process answers; no check runs) and readiness (the checks a service
/// registers with <see cref="AddReadinessCheck{T}"/>). Both stay anonymous: orchestrators and the launcher probe them
/// without a token.
/// </summary>
public static class ServiceHealth
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
    internal const string ReadyTag = "ready";

    /// <summary>Adds a check that <see cref="ReadinessPath"/> answers with.</summary>
    public static IServiceCollection AddReadinessCheck<T>(this IServiceCollection services, string name)
        where T : class, IHealthCheck
    {
        services.AddHealthChecks().AddCheck<T>(name, tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapServiceHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous()
            .WithMetadata(new NoPatientDataAttribute("Liveness: the process answers."));
        endpoints.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous()
            .WithMetadata(new NoPatientDataAttribute("Readiness: the service's own checks, by name."));
        return endpoints;
    }
}
