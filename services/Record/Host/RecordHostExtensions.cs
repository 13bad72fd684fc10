using System.Net;
using Chronicle.EventStore;
using Chronicle.Projections;
using Chronicle.Record.Fhir;
using Chronicle.Record.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Record.Host;

/// <summary>The pieces <c>Program.cs</c> assembles the Record service from, beyond the commands and the FHIR API.</summary>
public static class RecordHostExtensions
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
    private const string ReadyTag = "ready";

    /// <summary>The opened storage and the settings, for everything registered after.</summary>
    public static IServiceCollection AddRecordStorage(this IServiceCollection services, RecordHostSettings settings, RecordStorage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        services.AddSingleton(settings);
        services.AddSingleton(storage.Events);
        services.AddSingleton(storage.ReadModels);
        return services;
    }

    /// <summary>
    /// Two Kestrel listeners: FHIR REST and health over HTTP/1.1, gRPC over HTTP/2 cleartext (h2c). Loopback only
    /// unless <see cref="RecordHostSettings.ListenAnyIp"/>. <see cref="RecordListeners"/> tells the bound addresses.
    /// </summary>
    public static WebApplicationBuilder AddRecordListeners(this WebApplicationBuilder builder, RecordHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        var listeners = new RecordListeners();
        builder.Services.AddSingleton(listeners);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = settings.ListenAnyIp ? IPAddress.Any : IPAddress.Loopback;
            kestrel.Listen(address, settings.FhirPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listeners.Fhir = listen;
            });
            kestrel.Listen(address, settings.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listeners.Grpc = listen;
            });
        });
        return builder;
    }

    /// <summary>
    /// Command replies wait for the FHIR read model (<see cref="ReadYourWritesInterceptor"/>), and FHIR reads that name a
    /// position wait as long. Call after <see cref="RecordGrpcExtensions.AddRecordCommands"/>.
    /// </summary>
    public static IServiceCollection AddRecordReadYourWrites(this IServiceCollection services)
    {
        services.AddGrpc().AddServiceOptions<PatientRecordGrpcService>(options => options.Interceptors.Add<ReadYourWritesInterceptor>());
        services.AddOptions<RecordFhirOptions>().Configure<RecordHostSettings>((options, settings) => options.MaxReadYourWritesWait = settings.ReadYourWritesWait);
        return services;
    }

    /// <summary>Liveness (the process answers) and readiness (<see cref="RecordReadiness"/>).</summary>
    public static IServiceCollection AddRecordHealth(this IServiceCollection services)
    {
        services.AddSingleton<RecordReadiness>();
        services.AddHostedService(provider => provider.GetRequiredService<RecordReadiness>());
        services.AddHealthChecks().AddCheck<RecordReadiness>("fhir-read-model", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapRecordHealth(this IEndpointRouteBuilder endpoints)
    {
        // Health stays anonymous: orchestrators and the launcher probe it without a token.
        endpoints.MapHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        endpoints.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        return endpoints;
    }
}

/// <summary>The host's two listeners; after start their endpoints hold the bound ports (also when 0 was asked for).</summary>
public sealed class RecordListeners
{
    public ListenOptions? Fhir { get; internal set; }

    public ListenOptions? Grpc { get; internal set; }

    public Uri FhirBase(string routePrefix) => new(Root(Fhir, "FHIR") + routePrefix.TrimStart('/'));

    public Uri GrpcAddress => new(Root(Grpc, "gRPC"));

    public Uri HealthBase => new(Root(Fhir, "FHIR"));

    private static string Root(ListenOptions? listen, string name) =>
        listen?.IPEndPoint is { } endpoint ? $"http://{endpoint}/" : throw new InvalidOperationException($"The {name} listener is not bound yet.");
}
