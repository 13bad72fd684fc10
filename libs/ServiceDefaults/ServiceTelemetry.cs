using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Chronicle.ServiceDefaults;

/// <summary>
/// OpenTelemetry for a Chronicle process, set up once: traces (ASP.NET Core, gRPC and HTTP clients, and Chronicle's own
/// sources: the event store's appends, the outbox relay's publishes, consumers' handling), metrics (request durations by
/// route and status, append latency and batch sizes, projection and outbox-relay lag, audit-trail flush latency) and
/// logs, exported over OTLP.
/// <para>
/// Nothing is collected or exported unless an OTLP endpoint is configured: <c>Chronicle:Telemetry:OtlpEndpoint</c>, or
/// the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, grpc by default). Logs are
/// structured; <c>Chronicle:Logging:Format=json</c> writes them to the console as JSON lines.
/// </para>
/// </summary>
public static class ServiceTelemetry
{
    /// <summary>Every Chronicle ActivitySource and Meter is named under this (Chronicle.EventStore, Chronicle.Messaging…).</summary>
    public const string SourcePattern = "Chronicle.*";

    /// <summary>The setting naming the OTLP endpoint, e.g. http://otel-collector:4317.</summary>
    public const string EndpointSetting = "Chronicle:Telemetry:OtlpEndpoint";

    /// <summary>Sets up telemetry for <paramref name="serviceName"/> (the resource's service.name, e.g. "record").</summary>
    /// <returns>Whether telemetry is exported (an OTLP endpoint is configured).</returns>
    public static bool AddServiceTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return AddServiceTelemetry(builder.Services, builder.Logging, builder.Configuration, serviceName);
    }

    /// <inheritdoc cref="AddServiceTelemetry(WebApplicationBuilder, string)"/>
    public static bool AddServiceTelemetry(IServiceCollection services, ILoggingBuilder logging, IConfiguration configuration, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        if (string.Equals(configuration["Chronicle:Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
            logging.AddJsonConsole(json => json.IncludeScopes = true);

        var endpoint = configuration[EndpointSetting] is { Length: > 0 } configured ? configured : null;
        if (endpoint is null && string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            return false;
        if (endpoint is not null && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
            throw new ArgumentException($"{EndpointSetting} must be an absolute URI such as http://otel-collector:4317, not '{endpoint}'.");

        logging.AddOpenTelemetry(log =>
        {
            log.IncludeFormattedMessage = true;
            log.IncludeScopes = true;
        });
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceNamespace: "chronicle"))
            .WithTracing(tracing => tracing
                .AddSource(SourcePattern)
                .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddGrpcClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(SourcePattern)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        if (endpoint is null)
            telemetry.UseOtlpExporter(); // the OTEL_EXPORTER_OTLP_* settings
        else
            telemetry.UseOtlpExporter(OtlpExportProtocol.Grpc, new Uri(endpoint));
        return true;
    }

    /// <summary>Health probes, every few seconds from the orchestrator: not worth a trace each.</summary>
    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/healthz", StringComparison.Ordinal) || path.StartsWithSegments("/readyz", StringComparison.Ordinal);
}
