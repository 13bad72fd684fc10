using Chronicle.Auditing;
using Chronicle.Contracts;
using Chronicle.EventStore;
using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Chronicle.Fhir.Search;
using Chronicle.Projections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using Chronicle.Record.Fhir.Projection;

namespace Chronicle.Record.Fhir.Api;

public sealed class RecordFhirOptions
{
    /// <summary>Where the FHIR API is mapped; also the base of every fullUrl and link it returns.</summary>
    public string RoutePrefix { get; set; } = "/fhir";

    /// <summary>Start the projection with the host. Off when the host starts <see cref="RecordFhirReadModel"/> itself.</summary>
    public bool RunProjection { get; set; } = true;

    /// <summary>How long a read with <see cref="RecordFhirApi.MinPositionHeader"/> waits for the projection before answering 503.</summary>
    public TimeSpan MaxReadYourWritesWait { get; set; } = TimeSpan.FromSeconds(5);

    public SearchPaging Paging { get; set; } = new();

    public ProjectionRunnerOptions Projection { get; set; } = new();
}

public static class RecordFhirServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Record's FHIR read side. The host must register an <see cref="IEventStore"/> and the
    /// <see cref="ReadModelDatabase"/> the FHIR tables live in.
    /// </summary>
    public static IServiceCollection AddRecordFhir(this IServiceCollection services, Action<RecordFhirOptions>? configure = null)
    {
        var builder = services.AddOptions<RecordFhirOptions>();
        if (configure is not null)
            builder.Configure(configure);
        services.AddProjection<RecordFhirProjection>();
        services.AddOptions<ProjectionHostingOptions<RecordFhirProjection>>().Configure<IOptions<RecordFhirOptions>>((hosting, fhir) =>
        {
            hosting.StartWithHost = fhir.Value.RunProjection;
            hosting.Runner = fhir.Value.Projection;
        });
        services.AddSingleton(provider => new RecordFhirReadModel(provider.GetRequiredService<IEventStore>(),
            provider.GetRequiredService<ReadModelDatabase>(), provider.GetRequiredService<HostedProjection<RecordFhirProjection>>()));
        services.AddSingleton<RecordFhirApi>();
        services.AddSingleton<PatientSummaryApi>();
        services.AddHttpEdgeLimits();
        services.AddSingleton<FhirEndpointFilter>();
        return services;
    }
}

public static class RecordFhirEndpoints
{
    /// <summary>
    /// Maps the read-only FHIR R4 API: metadata, read, vread, instance history, search and Patient/$everything.
    /// Search also by POST [type]/_search; HEAD wherever GET. Everything else under the prefix answers with an OperationOutcome
    /// (404, or 405 with an Allow header for writes).
    /// </summary>
    public static RouteGroupBuilder MapRecordFhir(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var prefix = app.ServiceProvider.GetRequiredService<IOptions<RecordFhirOptions>>().Value.RoutePrefix;
        var fhir = app.MapGroup(prefix);
        fhir.AddEndpointFilter<FhirEndpointFilter>();

        fhir.MapFhirRead("/metadata", (RecordFhirApi api, HttpRequest request) => api.MetadataAsync(request)).AllowAnonymous() // discovery needs no token
            .NoPatientData("The CapabilityStatement describes the server, not any patient.");
        fhir.MapFhirConformance(prefix).AllowAnonymous()
            .NoPatientData("Chronicle's definitions and the SMART configuration describe the API, not any patient.");
        fhir.MapFhirRead("/Patient/{id}/$everything", (RecordFhirApi api, HttpRequest request, string id) => api.EverythingAsync(request, id))
            .Audited(AuditAction.Everything, "Patient");
        fhir.MapFhirRead("/Patient/{id}/$" + PatientSummaryApi.Operation, (PatientSummaryApi api, HttpRequest request, string id) => api.SummaryAsync(request, id))
            .Audited(AuditAction.Summary, "Patient");
        fhir.MapFhirRead("/{type}", (RecordFhirApi api, HttpRequest request, string type) => api.SearchAsync(request, type)).Audited(AuditAction.Search);
        fhir.MapFhirSearchPost("/{type}/" + FhirRoutes.SearchSegment, (RecordFhirApi api, HttpRequest request, string type) => api.SearchAsync(request, type))
            .Audited(AuditAction.Search);
        fhir.MapFhirRead("/{type}/_history", (string type) =>
            Task.FromException<IResult>(FhirException.NotSupported($"Type-level history ({type}/_history) is not supported; ask for one resource's history.")))
            .Audited(AuditAction.History);
        fhir.MapFhirRead("/{type}/{id}", (RecordFhirApi api, HttpRequest request, string type, string id) => api.ReadAsync(request, type, id))
            .Audited(AuditAction.Read);
        fhir.MapFhirRead("/{type}/{id}/_history", (RecordFhirApi api, HttpRequest request, string type, string id) => api.HistoryAsync(request, type, id))
            .Audited(AuditAction.History);
        fhir.MapFhirRead("/{type}/{id}/_history/{versionId}",
            (RecordFhirApi api, HttpRequest request, string type, string id, string versionId) => api.VReadAsync(request, type, id, versionId))
            .Audited(AuditAction.VRead);

        fhir.MapFhirFallback(path => $"There is no FHIR endpoint at '{path}'.",
            "The Record's FHIR API is read-only (searches may be sent by POST [type]/_search); the record changes through its gRPC commands.")
            .AuditedAsFhirInteraction(); // a 404 or 405 here is still an attempt on patient data
        return fhir;
    }
}
