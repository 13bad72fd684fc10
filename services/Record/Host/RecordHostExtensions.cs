using Chronicle.Record.Fhir.Api;
using Chronicle.Record.Grpc;
using Chronicle.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Record.Host;

/// <summary>The pieces <see cref="RecordService.Compose"/> assembles the Record service from, beyond the commands and the FHIR API.</summary>
public static class RecordHostExtensions
{
    public const string LivenessPath = ServiceHealth.LivenessPath;
    public const string ReadinessPath = ServiceHealth.ReadinessPath;

    /// <summary>How many folded records the command side keeps between commands, as the settings say.</summary>
    public static IServiceCollection AddRecordStateCache(this IServiceCollection services, RecordHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return services.AddSingleton(settings.StateCache);
    }

    /// <summary>
    /// Two Kestrel listeners: FHIR REST and health over HTTP/1.1, gRPC over HTTP/2 cleartext (h2c). Loopback only
    /// unless <see cref="RecordHostSettings.ListenAnyIp"/>. <see cref="ServiceListeners"/> tells the bound addresses.
    /// </summary>
    public static WebApplicationBuilder AddRecordListeners(this WebApplicationBuilder builder, RecordHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ServiceListeners.AddTo(builder, settings.ListenAnyIp, settings.FhirPort, settings.GrpcPort);
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
        return services.AddReadinessCheck<RecordReadiness>("fhir-read-model");
    }

}
