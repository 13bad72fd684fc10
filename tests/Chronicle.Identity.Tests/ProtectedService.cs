using System.Net;
using Chronicle.Auditing;
using Chronicle.Contracts;
using Chronicle.Contracts.Record.V1;
using Chronicle.EventStore;
using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Chronicle.Messaging;
using Chronicle.Security;
using Chronicle.ServiceDefaults;
using Chronicle.Testing;
using Grpc.Core;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Identity.Tests;

/// <summary>
/// A small service protected by libs/Security and audited by libs/Auditing exactly as a real Chronicle service adopts
/// them, started the one way every service starts: the shared host (<see cref="ServiceHost"/>) with its own storage and
/// a compose function (<see cref="Compose"/>) that makes the calls each service's compose makes (service defaults,
/// <c>AddChronicleSecurityOrOptOut</c> asking Identity by service invocation, <c>AddAuditing</c>), with a test's
/// <see cref="ServiceOverrides"/>. FHIR endpoints on an HTTP/1.1 port and gRPC methods on an h2c port. It answers for any
/// patient id; a break-glass access is echoed in the <c>x-test-break-glass</c> header so tests can see it was flagged.
/// </summary>
public sealed class ProtectedService : IAsyncDisposable
{
    public const string BreakGlassEcho = "x-test-break-glass";
    public const string AppId = "protected";

    private static readonly ServiceHostDefinition<ProtectedServiceSettings> Definition = new()
    {
        Banner = new ServiceBanner("Protected"),
        Usage = "A test service: FHIR and gRPC endpoints behind libs/Security, audited.",
        ReadSettings = configuration => new ProtectedServiceSettings(
            configuration["Chronicle:DataDirectory"] ?? throw new ServiceConfigurationException("Chronicle:DataDirectory is not set.")),
        OpenStorage = (settings, cancellationToken) => ServiceStorage.OpenSqliteAsync(settings.DataDirectory, cancellationToken),
        Listening = [],
    };

    private readonly RunningServiceHost<ProtectedServiceSettings> _host;
    private readonly TestStorage _storage;

    private ProtectedService(RunningServiceHost<ProtectedServiceSettings> host, TestStorage storage)
    {
        _host = host;
        _storage = storage;
        FhirBase = new Uri(host.Listeners.HttpBase, "fhir/");
        GrpcAddress = host.Listeners.GrpcAddress;
    }

    public Uri FhirBase { get; }
    public Uri GrpcAddress { get; }
    public IServiceProvider Services => _host.Services;

    /// <param name="overrides">Replacements applied after compose (<see cref="ServiceOverrides"/>).</param>
    public static async Task<ProtectedService> StartAsync(IdentityInstance identity, Action<IServiceCollection>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var storage = await TestStorage.ReserveAsync(StorageBackend.Sqlite, new() { Name = "protected" });
        try
        {
            var host = await ServiceHost.StartAsync(
                [
                    $"--Chronicle:DataDirectory={storage.Directory}", $"--Chronicle:AppId={AppId}", "--Chronicle:Transport=direct",
                    $"--{TestAppApiToken.Setting}={TestAppApiToken.Value}",
                    // Identity's Access service by app id, as a service host asks it (through its sidecar under Dapr).
                    $"--Chronicle:Apps:{IdentityAccessInvocation.IdentityAppId}:Grpc={identity.Grpc.AbsoluteUri}",
                    $"--Chronicle:Security:Authority={identity.Issuer.AbsoluteUri}", "--Chronicle:Security:RequireHttpsMetadata=false",
                    "--Chronicle:Security:KeyRefreshInterval=00:00:01",
                ],
                Definition, ServiceOverrides.Apply<ProtectedServiceSettings>(Compose, overrides), builder =>
                {
                    // The test folder holds other services' appsettings.json: none is this service's.
                    foreach (var file in builder.Configuration.Sources.OfType<Microsoft.Extensions.Configuration.Json.JsonConfigurationSource>().ToList())
                        builder.Configuration.Sources.Remove(file);
                    builder.Logging.ClearProviders();
                });
            return new ProtectedService(host, storage);
        }
        catch
        {
            await storage.DisposeAsync();
            throw;
        }
    }

    /// <summary>The audit entries the service has made durable, oldest first: its audit outbox.</summary>
    public Task<IReadOnlyList<AuditEntry>> AuditEntriesAsync() => AuditOutbox.ReadAsync(_host.Storage.Events);

    /// <summary>What the service is made of, as a Chronicle service's compose function says it. The host has opened the storage and registered it.</summary>
    private static WebApplication Compose(WebApplicationBuilder builder, ProtectedServiceSettings settings)
    {
        builder.AddServiceDefaults(AppId);             // telemetry, gRPC health and reflection
        ServiceListeners.AddTo(builder, anyIp: false, httpPort: 0, grpcPort: 0); // FHIR + health on HTTP/1.1, gRPC on h2c
        builder.Services.AddChronicleSecurityOrOptOut(builder.Configuration, Definition.Banner.Name, Console.Error,
            message => new ServiceConfigurationException(message)); // tokens from Identity: scopes, patient relationships (asked by service invocation)
        builder.Services.AddChronicleMessaging(builder.Configuration); // service invocation (Identity's Access service)
        builder.Services.AddAuditing(AppId);           // every declared access audited before it is answered, refusals too

        var app = builder.Build();
        app.UseRouting();
        app.UseChronicleSecurity();                    // authentication, then authorization (inside the auditing)
        app.MapServiceDefaults();                      // /healthz, /readyz, grpc.health.v1, gRPC reflection
        var fhir = app.MapGroup("/fhir").AddEndpointFilter<FhirEndpointFilter>();
        fhir.MapGet("/Patient/{id}", async (string id, HttpContext context) =>
        {
            await context.RequirePatientAccessAsync(id);
            return Answer(context, new Hl7.Fhir.Model.Patient { Id = id });
        }).RequireFhirScope("Patient", ScopeAccess.Read).Audited(AuditAction.Read, "Patient");
        fhir.MapGet("/Observation", async (HttpContext context) =>
        {
            var patient = context.Request.Query["patient"].ToString();
            if (patient.Length == 0)
                throw FhirException.BadRequest("This server searches one patient's observations: give patient.");
            await context.RequirePatientAccessAsync(patient);
            return Answer(context, new Bundle { Type = Bundle.BundleType.Searchset, Total = 0 });
        }).RequireFhirScope("Observation", ScopeAccess.Search).Audited(AuditAction.Search, "Observation");
        fhir.MapGet("/Patient/{id}/$everything", async (string id, HttpContext context) =>
        {
            await context.RequirePatientAccessAsync(id);
            return Answer(context, new Bundle { Type = Bundle.BundleType.Searchset, Total = 1 });
        }).RequireFhirScope(SmartScope.AnyResource, ScopeAccess.Read).Audited(AuditAction.Everything, "Patient");
        fhir.MapPost("/Observation", async (HttpContext context) =>
        {
            var patient = context.Request.Query["patient"].ToString();
            await context.RequirePatientAccessAsync(patient);
            return Answer(context, new Hl7.Fhir.Model.Observation { Id = "new", Status = ObservationStatus.Final }, HttpStatusCode.Created);
        }).RequireFhirScope("Observation", ScopeAccess.Create).Audited(AuditAction.Create, "Observation");
        app.MapGrpcService<FakePatientRecordService>();
        return app;
    }

    private static FhirResourceResult Answer(HttpContext context, Resource resource, HttpStatusCode status = HttpStatusCode.OK)
    {
        if (context.GetBreakGlass() is { } breakGlass)
            context.Response.Headers[BreakGlassEcho] = breakGlass.Reason;
        return new FhirResourceResult(resource, status);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _storage.DisposeAsync();
    }

    private sealed record ProtectedServiceSettings(string DataDirectory);

    /// <summary>Only GetRecord and GetHistory answer; the others are the base's Unimplemented, reaching nothing.</summary>
    [NoPatientData("A test double: the methods it does not override answer Unimplemented and reach no data.")]
    private sealed class FakePatientRecordService : PatientRecord.PatientRecordBase
    {
        [RequireFhirScope("Patient", ScopeAccess.Read)]
        [Audited(AuditAction.Read)]
        public override async Task<PatientRecordView> GetRecord(GetRecordRequest request, ServerCallContext context)
        {
            if (context.GetHttpContext().GetBreakGlass() is { } breakGlass)
                await context.WriteResponseHeadersAsync(new Metadata { { BreakGlassEcho, breakGlass.Reason } });
            return new PatientRecordView { Version = 0 };
        }

        // Declares no scope: the interceptor must refuse it for every token.
        [Audited(AuditAction.History)]
        public override Task<GetHistoryReply> GetHistory(GetHistoryRequest request, ServerCallContext context) =>
            Task.FromResult(new GetHistoryReply());
    }
}
