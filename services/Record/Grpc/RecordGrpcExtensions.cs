using Chronicle.Record.Application;
using Chronicle.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chronicle.Record.Grpc;

public static class RecordGrpcExtensions
{
    /// <summary>
    /// Registers the record's command and query services and its gRPC error mapping. The host registers the
    /// <see cref="EventStore.IEventStore"/> singleton; a <see cref="TimeProvider"/> or an
    /// <see cref="ICallerProvenance"/> or <see cref="RecordStateCacheOptions"/> registered before this call replaces the defaults.
    /// </summary>
    public static IServiceCollection AddRecordCommands(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICallerProvenance, RequestHeaderProvenance>();
        services.TryAddSingleton(provider => new RecordStateCache(provider.GetService<RecordStateCacheOptions>() ?? new RecordStateCacheOptions()));
        services.TryAddSingleton<PatientRecordCommands>();
        services.TryAddSingleton<PatientRecordQueries>();
        services.AddGrpc(options =>
        {
            // Before libs/Security's interceptor, whether it was registered before this call or is registered after it.
            options.Interceptors.Add<RequestIdInterceptor>();
            var registration = options.Interceptors[^1];
            options.Interceptors.RemoveAt(options.Interceptors.Count - 1);
            var security = options.Interceptors.ToList().FindIndex(r => r.Type == typeof(ChronicleSecurityInterceptor));
            options.Interceptors.Insert(security < 0 ? options.Interceptors.Count : security, registration);
        }).AddServiceOptions<PatientRecordGrpcService>(options => options.Interceptors.Add<RecordErrorInterceptor>());
        return services;
    }

    /// <summary>Serves chronicle.record.v1.PatientRecord.</summary>
    public static GrpcServiceEndpointConventionBuilder MapRecordGrpc(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<PatientRecordGrpcService>();
}
