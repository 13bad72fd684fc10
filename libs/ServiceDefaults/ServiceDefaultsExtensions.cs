using Microsoft.AspNetCore.Builder;

namespace Chronicle.ServiceDefaults;

/// <summary>What every service's compose function starts and ends with, the same for every service.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Telemetry under <paramref name="serviceName"/> (exported only when an OTLP endpoint is set), gRPC health and reflection.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceTelemetry(serviceName);
        builder.Services.AddServiceGrpcDefaults();
        return builder;
    }

    /// <summary><c>/healthz</c>, <c>/readyz</c>, <c>grpc.health.v1.Health</c> (readiness) and gRPC server reflection.</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapServiceHealth();
        app.MapServiceGrpcDefaults();
        return app;
    }
}
