using System.Net;
using Chronicle.Contracts.Record.V1;
using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Chronicle.Security;
using Grpc.Core;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Identity.Tests;

/// <summary>
/// A small service protected by libs/Security exactly as a real Chronicle service adopts it: FHIR endpoints on an
/// HTTP/1.1 port and a gRPC method on an HTTP/2 port. It answers for any patient id; a break-glass access is echoed
/// in the <c>x-test-break-glass</c> header so tests can see it was flagged.
/// </summary>
public sealed class ProtectedService : IAsyncDisposable
{
    public const string BreakGlassEcho = "x-test-break-glass";

    private readonly WebApplication _app;

    private ProtectedService(WebApplication app, Uri fhir, Uri grpc)
    {
        _app = app;
        FhirBase = fhir;
        GrpcAddress = grpc;
    }

    public Uri FhirBase { get; }
    public Uri GrpcAddress { get; }

    public static async Task<ProtectedService> StartAsync(IdentityInstance identity)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1);
            k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2);
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chronicle:Security:Authority"] = identity.Issuer.AbsoluteUri,
            ["Chronicle:Security:RequireHttpsMetadata"] = "false",
            ["Chronicle:Security:AccessServiceAddress"] = identity.Grpc.AbsoluteUri,
            ["Chronicle:Security:KeyRefreshInterval"] = "00:00:01",
        });

        // The adoption, as in a real service:
        builder.Services.AddChronicleSecurity(builder.Configuration);
        builder.Services.AddGrpc(o => o.AddChronicleSecurity());

        var app = builder.Build();
        app.UseRouting();
        app.UseChronicleSecurity();
        var fhir = app.MapGroup("/fhir").AddEndpointFilter<FhirEndpointFilter>();
        fhir.MapGet("/Patient/{id}", async (string id, HttpContext context) =>
        {
            await context.RequirePatientAccessAsync(id);
            return Answer(context, new Hl7.Fhir.Model.Patient { Id = id });
        }).RequireFhirScope("Patient", ScopeAccess.Read);
        fhir.MapGet("/Observation", async (HttpContext context) =>
        {
            var patient = context.Request.Query["patient"].ToString();
            if (patient.Length == 0)
                throw FhirException.BadRequest("This server searches one patient's observations: give patient.");
            await context.RequirePatientAccessAsync(patient);
            return Answer(context, new Bundle { Type = Bundle.BundleType.Searchset, Total = 0 });
        }).RequireFhirScope("Observation", ScopeAccess.Search);
        fhir.MapGet("/Patient/{id}/$everything", async (string id, HttpContext context) =>
        {
            await context.RequirePatientAccessAsync(id);
            return Answer(context, new Bundle { Type = Bundle.BundleType.Searchset, Total = 1 });
        }).RequireFhirScope(SmartScope.AnyResource, ScopeAccess.Read);
        fhir.MapPost("/Observation", async (HttpContext context) =>
        {
            var patient = context.Request.Query["patient"].ToString();
            await context.RequirePatientAccessAsync(patient);
            return Answer(context, new Hl7.Fhir.Model.Observation { Id = "new", Status = ObservationStatus.Final }, HttpStatusCode.Created);
        }).RequireFhirScope("Observation", ScopeAccess.Create);
        app.MapGrpcService<FakePatientRecordService>();

        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        return new ProtectedService(app, new Uri(addresses[0], "fhir/"), addresses[1]);
    }

    private static FhirResourceResult Answer(HttpContext context, Resource resource, HttpStatusCode status = HttpStatusCode.OK)
    {
        if (context.GetBreakGlass() is { } breakGlass)
            context.Response.Headers[BreakGlassEcho] = breakGlass.Reason;
        return new FhirResourceResult(resource, status);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class FakePatientRecordService : PatientRecord.PatientRecordBase
    {
        [RequireFhirScope("Patient", ScopeAccess.Read)]
        public override async Task<PatientRecordView> GetRecord(GetRecordRequest request, ServerCallContext context)
        {
            if (context.GetHttpContext().GetBreakGlass() is { } breakGlass)
                await context.WriteResponseHeadersAsync(new Metadata { { BreakGlassEcho, breakGlass.Reason } });
            return new PatientRecordView { Version = 0 };
        }

        // Declares no scope: the interceptor must refuse it for every token.
        public override Task<GetHistoryReply> GetHistory(GetHistoryRequest request, ServerCallContext context) =>
            Task.FromResult(new GetHistoryReply());
    }
}
