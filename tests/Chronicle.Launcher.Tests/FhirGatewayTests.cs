using System.Net;
using System.Text.Json;
using Chronicle.Fhir;
using Chronicle.Launcher.Gateway;
using Chronicle.Launcher.Processes;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Launcher.Tests;

/// <summary>The gateway in this process in front of a stand-in service that echoes what reached it.</summary>
public sealed class FhirGatewayTests : IAsyncLifetime
{
    private WebApplication _service = null!;
    private FhirBackend _backend = null!;
    private FhirBackend _down = null!;
    private FhirGateway _gateway = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _service = await StartEchoServiceAsync();
        var serviceBase = new Uri(_service.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/fhir");
        _backend = new FhirBackend("record", ["Patient", "Observation"]);
        _backend.Starting(serviceBase);
        _backend.Ready();
        // Ready as far as the launcher knows, but nothing listens there.
        _down = new FhirBackend("audit", ["AuditEvent"]);
        _down.Starting(new Uri($"http://127.0.0.1:{FreePorts.Take(1)[0]}/fhir"));
        _down.Ready();
        _gateway = await FhirGateway.StartAsync(FreePorts.Take(1)[0], new FhirRouteTable([_backend, _down]), "9.9.9", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _service.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task GivenARequestForAResourceType_WhenSentThroughTheGateway_ThenItReachesItsOwnerWithPathQueryAndHeadersAndTheAnswerComesBackAsItWas()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Gateway("Patient/1/_history/2?_count=3&_format=json"));
        request.Headers.Add("Authorization", "Bearer token-1");
        request.Headers.Add("x-user-id", "G8123456");
        request.Headers.Add("x-organisation-ods", "A81001");
        request.Headers.Add("X-Chronicle-Min-Position", "42/7");

        using var response = await _http.SendAsync(request);
        var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("W/\"2\"", response.Headers.ETag?.ToString());
        Assert.Equal("/fhir/Patient/1/_history/2", echo.GetProperty("path").GetString());
        Assert.Equal("?_count=3&_format=json", echo.GetProperty("query").GetString());
        var headers = echo.GetProperty("headers");
        Assert.Equal("Bearer token-1", headers.GetProperty("Authorization").GetString());
        Assert.Equal("G8123456", headers.GetProperty("x-user-id").GetString());
        Assert.Equal("A81001", headers.GetProperty("x-organisation-ods").GetString());
        Assert.Equal("42/7", headers.GetProperty("X-Chronicle-Min-Position").GetString());
        Assert.Equal(_gateway.FhirBase.Authority, headers.GetProperty("X-Forwarded-Host").GetString());
        Assert.Equal("http", headers.GetProperty("X-Forwarded-Proto").GetString());
    }

    [Fact]
    public async Task GivenAnOwnerThatDoesNotAnswer_WhenItsTypeIsRequested_ThenTheGatewayAnswers503WithAnOperationOutcomeNamingIt()
    {
        using var response = await _http.GetAsync(Gateway("AuditEvent?patient=1"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var outcome = FhirJson.Deserialize<OperationOutcome>(await response.Content.ReadAsStringAsync());
        Assert.Contains("The audit service", outcome.Issue.Single().Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAnUnknownType_WhenRequested_ThenTheGatewayAnswers404WithAnOperationOutcome()
    {
        using var response = await _http.GetAsync(Gateway("Spaceship/1"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        Assert.IsType<OperationOutcome>(FhirJson.Deserialize(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task GivenMetadata_WhenRequested_ThenItListsWhatTheAnsweringServicesDescribeAndTheGatewayRoutes()
    {
        using var response = await _http.GetAsync(Gateway("metadata"));
        var statement = FhirJson.Deserialize<CapabilityStatement>(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["Patient", "Observation"], statement.Rest.Single().Resource.Select(r => r.Type));
        Assert.Equal(_gateway.FhirBase + "/metadata", statement.Url);
        Assert.Equal("9.9.9", statement.Software.Version);
    }

    [Fact]
    public async Task GivenAReadyServiceWhoseTypesTheTableDoesNotKnow_WhenRoutesAreLearned_ThenItsTypesGoToItAndAnUnreadableServiceIsNamed()
    {
        var record = ReadyAt("record", _backend.FhirBase!);
        var routes = new FhirRouteTable([record, _down]);

        var warnings = await _gateway.LearnRoutesAsync(routes, CancellationToken.None);

        Assert.Equal(["Observation", "Patient", "Spaceship"], routes.TypesOf(record));
        Assert.IsType<ForwardRoute>(routes.Resolve("GET", "/Spaceship/1"));
        Assert.Contains("audit's CapabilityStatement could not be read", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenATypeAnotherServiceOwns_WhenRoutesAreLearned_ThenItStaysWithItsOwnerAndTheLauncherIsToldSo()
    {
        var record = ReadyAt("record", _backend.FhirBase!);
        var other = new FhirBackend("other", ["Observation"]);
        var routes = new FhirRouteTable([record, other]);

        var warnings = await _gateway.LearnRoutesAsync(routes, CancellationToken.None);

        Assert.Equal("other", routes.Owner("Observation")!.Service);
        Assert.Equal("record serves Observation, but other owns it; the gateway sends it to other.", Assert.Single(warnings));
    }

    private static FhirBackend ReadyAt(string service, Uri fhirBase)
    {
        var backend = new FhirBackend(service, []);
        backend.Starting(fhirBase);
        backend.Ready();
        return backend;
    }

    [Fact]
    public async Task GivenANulInThePath_WhenRequested_ThenKestrelsOwnRefusalIsA400OperationOutcome()
    {
        var response = Assert.Single(Chronicle.Testing.RawHttp.Split(await Chronicle.Testing.RawHttp.GetAsync(_gateway.FhirBase, "/fhir/Patient/%00")));

        Assert.Equal(400, response.Status);
        Assert.StartsWith("application/fhir+json", response.Headers["content-type"], StringComparison.Ordinal);
        Assert.Single(FhirJson.Deserialize<OperationOutcome>(response.Body).Issue);
    }

    [Fact]
    public async Task GivenAPathOutsideTheFhirBase_WhenRequested_ThenTheAnswerIs404()
    {
        using var response = await _http.GetAsync(new Uri(_gateway.FhirBase, "/elsewhere"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task GivenAForgedHostOrForwardedHost_WhenRequested_ThenTheServiceIsToldOnlyTheGatewaysOwnBaseAndAForeignHostIsRefused()
    {
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, Gateway("Patient?name=x"));
        forwarded.Headers.Add("X-Forwarded-Host", "evil.example");
        forwarded.Headers.Add("X-Forwarded-Proto", "https");
        using var foreign = new HttpRequestMessage(HttpMethod.Get, Gateway("Patient?name=x"));
        foreign.Headers.Host = "evil.example";

        using var passed = await _http.SendAsync(forwarded);
        using var refused = await _http.SendAsync(foreign);

        var headers = JsonDocument.Parse(await passed.Content.ReadAsStringAsync()).RootElement.GetProperty("headers");
        Assert.Equal(_gateway.FhirBase.Authority, headers.GetProperty("X-Forwarded-Host").GetString());
        Assert.Equal("http", headers.GetProperty("X-Forwarded-Proto").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.IsType<OperationOutcome>(FhirJson.Deserialize(await refused.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task GivenMetadataAndAResource_WhenPostedAndHeadRequested_Then405WithAllowAndHeadMirrorsGet()
    {
        using var post = await _http.PostAsync(Gateway("metadata"), new StringContent(""));
        using var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, Gateway("Patient/1")));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(["GET", "HEAD"], post.Content.Headers.Allow);
        Assert.Equal(HttpStatusCode.Accepted, head.StatusCode);
        Assert.Equal("W/\"2\"", head.Headers.ETag?.ToString());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task GivenAnOverLongUriOrABodyOverTheLimit_WhenSent_ThenTheGatewayAnswersWithAnOperationOutcome()
    {
        using var uri = await _http.GetAsync(Gateway("Patient?name=" + new string('a', 10_000)));
        using var body = new HttpRequestMessage(HttpMethod.Post, Gateway("Patient/_search"))
        {
            Content = new FormUrlEncodedContent([new("name", new string('a', 2 * 1024 * 1024))]),
        };
        body.Headers.ExpectContinue = true;
        using var large = await _http.SendAsync(body);

        Assert.Equal(HttpStatusCode.RequestUriTooLong, uri.StatusCode);
        Assert.IsType<OperationOutcome>(FhirJson.Deserialize(await uri.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.IsType<OperationOutcome>(FhirJson.Deserialize(await large.Content.ReadAsStringAsync()));
    }

    private Uri Gateway(string relative) => new(_gateway.FhirBase + "/" + relative);

    /// <summary>Answers /fhir/metadata with Patient, Observation and Spaceship, and anything else with what reached it.</summary>
    private static async Task<WebApplication> StartEchoServiceAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(async context =>
        {
            if (context.Request.Path == "/fhir/metadata")
            {
                context.Response.ContentType = FhirMediaTypes.FhirJson;
                await context.Response.WriteAsync(FhirJson.Serialize(CapabilityStatementMergeTests.Statement("record", "2025-01-10", "Patient", "Observation", "Spaceship")));
                return;
            }

            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.Headers.ETag = "W/\"2\"";
            await context.Response.WriteAsJsonAsync(new
            {
                path = context.Request.Path.Value,
                query = context.Request.QueryString.Value,
                headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()),
            });
        });
        await app.StartAsync();
        return app;
    }
}
