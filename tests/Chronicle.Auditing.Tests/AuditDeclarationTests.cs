using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Chronicle.Contracts;
using Chronicle.Contracts.Record.V1;
using Chronicle.EventStore;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Chronicle.Testing;

namespace Chronicle.Auditing.Tests;

/// <summary>
/// Auditing by declaration, in a real Kestrel server (HTTP/1.1 and gRPC over h2c) over a real SQLite event store: what an
/// endpoint or gRPC method declares is what the trail records, the most specific declaration wins, a service with an
/// undeclared endpoint does not start, and who acted is read by libs/Security's one rule.
/// </summary>
public sealed class AuditDeclarationTests : IAsyncLifetime
{
    private TestStorage _storage = null!;

    public async Task InitializeAsync() => _storage = await TestStorage.CreateAsync(StorageBackend.Sqlite, new() { Name = "audit-declarations" });

    [Fact]
    public async Task GivenAnEndpointThatDeclaresNothing_WhenTheServiceStarts_ThenItRefusesNamingTheEndpoint()
    {
        var builder = Builder();
        await using var app = builder.Build();
        app.MapGet("/declared", () => "ok").Audited(AuditAction.Read, "Patient");
        app.MapGet("/forgotten", () => "patient data?");

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => app.StartAsync());

        Assert.Contains("/forgotten", refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/declared", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAGroupDeclarationAndEndpointsOfItsOwn_WhenEachIsCalled_ThenTheEndpointsOwnDeclarationWins()
    {
        var builder = Builder();
        await using var app = builder.Build();
        var group = app.MapGroup("/practices/{ods}/things").Audited(AuditAction.Update, (request, action) =>
            new FhirAuditTarget(action, "Thing", request.RouteValues["ods"] as string, null));
        group.MapPut("/{id}", () => Results.NoContent());
        group.MapGet("", () => Results.Ok()).Audited(AuditAction.Search, (request, action) =>
            new FhirAuditTarget(action, "Thing", request.RouteValues["ods"] as string, null));
        group.MapGet("/count", () => Results.Ok(3)).NoPatientData("A count of nothing personal.");
        var http = await StartAsync(app);

        Assert.Equal(HttpStatusCode.NoContent, (await http.PutAsync("/practices/A81001/things/t1", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/practices/A81001/things")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/practices/A81001/things/count")).StatusCode);

        var entries = await ReadOutboxAsync();
        Assert.Equal(2, entries.Count);
        Assert.Equal((AuditAction.Update, "Thing", "A81001"), (entries[0].Action, entries[0].ResourceType, entries[0].ResourceId));
        Assert.Equal((AuditAction.Search, "Thing", "A81001"), (entries[1].Action, entries[1].ResourceType, entries[1].ResourceId));
    }

    [Fact]
    public async Task GivenAFhirFallbackDeclaredAsItsInteraction_WhenNothingServesThePath_ThenTheAttemptIsAuditedAsWhatItAskedFor()
    {
        var builder = Builder();
        await using var app = builder.Build();
        var fhir = app.MapGroup("/fhir");
        fhir.MapGet("/{type}/{id}", (string type, string id) => Results.Ok()).Audited(AuditAction.Read);
        fhir.MapFallback("/{**path}", () => Results.NotFound()).AuditedAsFhirInteraction();
        var http = await StartAsync(app);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/fhir/Patient/p-1/_history/2/extra")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/fhir/Observation/o-1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/fhir/Patient/p-2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/elsewhere")).StatusCode);

        var entries = await ReadOutboxAsync();
        Assert.Equal(3, entries.Count);
        Assert.Equal((AuditAction.VRead, "Patient", "p-1", 404), (entries[0].Action, entries[0].ResourceType, entries[0].PatientId, entries[0].Outcome));
        Assert.Equal((AuditAction.Update, "Observation", "o-1", 404), (entries[1].Action, entries[1].ResourceType, entries[1].ResourceId, entries[1].Outcome));
        Assert.Equal((AuditAction.Read, "Patient", "p-2", 200), (entries[2].Action, entries[2].ResourceType, entries[2].PatientId, entries[2].Outcome));
    }

    [Fact]
    public async Task GivenGrpcMethodsDeclaredOneByOne_WhenEachIsCalledOrRefused_ThenOnlyTheAuditedOnesAreInTheTrail()
    {
        var builder = Builder(grpc: true);
        await using var app = builder.Build();
        app.MapGrpcService<DeclaredRecordService>();
        var address = await StartAndGetAddressAsync(app);
        using var channel = GrpcChannel.ForAddress(address);
        var client = new PatientRecord.PatientRecordClient(channel);

        await client.GetRecordAsync(new GetRecordRequest { PatientId = "p-1" });
        var refused = await Assert.ThrowsAsync<RpcException>(() => client.GetHistoryAsync(new GetHistoryRequest { PatientId = "p-2" }).ResponseAsync);
        await client.GetRecordAsAtAsync(new GetRecordAsAtRequest { PatientId = "p-3" });
        var unimplemented = await Assert.ThrowsAsync<RpcException>(() => client.ResolveProblemAsync(new ResolveProblemRequest()).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal(StatusCode.Unimplemented, unimplemented.StatusCode);
        var entries = await ReadOutboxAsync();
        Assert.Equal(2, entries.Count);
        Assert.Equal(("grpc:GetRecord", AuditAction.Read, "p-1", 200), (entries[0].ResourceType, entries[0].Action, entries[0].PatientId, entries[0].Outcome));
        Assert.Equal(("grpc:GetHistory", AuditAction.History, "p-2", 403), (entries[1].ResourceType, entries[1].Action, entries[1].PatientId, entries[1].Outcome));
    }

    [Fact]
    public async Task GivenAnAuthenticatedCallerWhoAlsoSendsIdentityHeaders_WhenAudited_ThenTheEntryNamesTheTokensCallerOnly()
    {
        // Before one reading of the caller, the audit entry took any claim the token lacked from the headers: a module's
        // client-credentials token (no role, no org) could write itself into the trail as a GP of any practice.
        var builder = Builder();
        builder.Services.AddAuthentication(TestToken.Name).AddScheme<AuthenticationSchemeOptions, TestToken>(TestToken.Name, null);
        await using var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/fhir/Patient/{id}", (string id) => Results.Ok()).Audited(AuditAction.Read, "Patient");
        var http = await StartAsync(app);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/Patient/p-1");
        request.Headers.Add(TestToken.Header, "module-123");
        request.Headers.Add("x-user-id", "G9999999");
        request.Headers.Add("x-user-role", "gp");
        request.Headers.Add("x-organisation-ods", "B99999");
        request.Headers.Add("x-on-behalf-of", "patient-9");
        request.Headers.Add("x-correlation-id", "corr-7");

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);

        var entry = Assert.Single(await ReadOutboxAsync());
        Assert.Equal(("module-123", "module-123", null, null), (entry.UserId, entry.ClientId, entry.Role, entry.OrganisationOds));
        Assert.Equal(("patient-9", "corr-7"), (entry.OnBehalfOf, entry.CorrelationId));
    }

    private WebApplicationBuilder Builder(bool grpc = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        builder.Services.AddSingleton<IEventStore>(_storage.Events);
        builder.Services.AddAuditing("test");
        return builder;
    }

    private static async Task<HttpClient> StartAsync(WebApplication app) => new() { BaseAddress = await StartAndGetAddressAsync(app) };

    private static async Task<Uri> StartAndGetAddressAsync(WebApplication app)
    {
        await app.StartAsync();
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    private async Task<List<AuditEntry>> ReadOutboxAsync()
    {
        var events = await _storage.Events.ReadStreamAsync(EventStoreAuditTrail.OutboxStream, StreamReadOptions.Forwards);
        return events.Select(EventStoreAuditTrail.Read).ToList();
    }

    public async Task DisposeAsync() => await _storage.DisposeAsync();

    /// <summary>Three methods, three declarations; ResolveProblem is not implemented (Grpc.AspNetCore answers it).</summary>
    [NoPatientData("Methods say otherwise one by one.")]
    private sealed class DeclaredRecordService : PatientRecord.PatientRecordBase
    {
        [Audited(AuditAction.Read)]
        public override Task<PatientRecordView> GetRecord(GetRecordRequest request, ServerCallContext context) =>
            Task.FromResult(new PatientRecordView());

        [Audited(AuditAction.History)]
        public override Task<GetHistoryReply> GetHistory(GetHistoryRequest request, ServerCallContext context) =>
            throw new RpcException(new Status(StatusCode.PermissionDenied, "No relationship."));

        public override Task<PatientRecordView> GetRecordAsAt(GetRecordAsAtRequest request, ServerCallContext context) =>
            Task.FromResult(new PatientRecordView());
    }

    /// <summary>A caller authenticated as the client its header names, with only the claims a client-credentials token has.</summary>
    private sealed class TestToken(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "test-token";
        public const string Header = "x-test-token";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers[Header].FirstOrDefault() is not { Length: > 0 } client)
                return Task.FromResult(AuthenticateResult.NoResult());
            var identity = new ClaimsIdentity([new Claim("sub", client), new Claim("client_id", client)], Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name)));
        }
    }
}
