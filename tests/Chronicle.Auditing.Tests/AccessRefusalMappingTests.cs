using System.Net;
using System.Text.Json;
using Chronicle.Contracts;
using Chronicle.Contracts.Record.V1;
using Chronicle.Fhir.Http;
using Chronicle.Security;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chronicle.Auditing.Tests;

/// <summary>
/// libs/Security refuses in no transport's terms; the FHIR side answers a refusal with an OperationOutcome and the gRPC
/// side with its status, each by one mapping, in a real Kestrel server.
/// </summary>
public sealed class AccessRefusalMappingTests
{
    [Theory]
    [InlineData(AccessRefusalKind.Unauthenticated, 401, "login")]
    [InlineData(AccessRefusalKind.Forbidden, 403, "forbidden")]
    [InlineData(AccessRefusalKind.InvalidRequest, 400, "invalid")]
    public async Task GivenAFhirHandlerThatIsRefused_WhenCalled_ThenTheAnswerIsAnOperationOutcomeWithTheRefusalsStatus(
        AccessRefusalKind kind, int status, string issueCode)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton<FhirEndpointFilter>();
        builder.Services.AddSingleton<IFhirErrorMapping, AccessRefusalFhirMapping>();
        await using var app = builder.Build();
        app.MapGroup("/fhir").AddEndpointFilter<FhirEndpointFilter>()
            .MapGet("/Patient/{id}", (string id) => Task.FromException<IResult>(new AccessRefusedException(kind, $"Refused: {id}.")));
        using var http = new HttpClient { BaseAddress = await StartAsync(app) };

        using var response = await http.GetAsync("/fhir/Patient/p-1");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        using var outcome = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("OperationOutcome", outcome.RootElement.GetProperty("resourceType").GetString());
        var issue = outcome.RootElement.GetProperty("issue")[0];
        Assert.Equal(issueCode, issue.GetProperty("code").GetString());
        Assert.Equal("Refused: p-1.", issue.GetProperty("diagnostics").GetString());
    }

    [Theory]
    [InlineData(AccessRefusalKind.Unauthenticated, StatusCode.Unauthenticated)]
    [InlineData(AccessRefusalKind.Forbidden, StatusCode.PermissionDenied)]
    [InlineData(AccessRefusalKind.InvalidRequest, StatusCode.InvalidArgument)]
    public async Task GivenAGrpcHandlerThatIsRefused_WhenCalled_ThenTheCallEndsWithTheRefusalsStatus(AccessRefusalKind kind, StatusCode code)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(options => options.Interceptors.Add<AccessRefusalGrpcMapping>());
        builder.Services.AddSingleton(new RefusingRecordService.Refusal(kind));
        await using var app = builder.Build();
        app.MapGrpcService<RefusingRecordService>();
        using var channel = GrpcChannel.ForAddress(await StartAsync(app));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new PatientRecord.PatientRecordClient(channel).GetRecordAsync(new GetRecordRequest { PatientId = "p-1" }).ResponseAsync);

        Assert.Equal((code, "Refused: p-1."), (error.StatusCode, error.Status.Detail));
    }

    private static async Task<Uri> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    [NoPatientData("A test service.")]
    private sealed class RefusingRecordService(RefusingRecordService.Refusal refusal) : PatientRecord.PatientRecordBase
    {
        public override Task<PatientRecordView> GetRecord(GetRecordRequest request, ServerCallContext context) =>
            throw new AccessRefusedException(refusal.Kind, $"Refused: {request.PatientId}.");

        public sealed record Refusal(AccessRefusalKind Kind);
    }
}
