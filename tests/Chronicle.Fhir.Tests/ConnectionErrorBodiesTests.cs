using System.Net;
using System.Text.Json;
using Chronicle.Fhir.Http;
using Chronicle.Testing;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Fhir.Tests;

/// <summary>
/// Kestrel's own refusals (a request it cannot parse, answered before any middleware runs) carry a body that says why, on
/// a real Kestrel listener over a real socket; the application's own answers on the same connection pass byte for byte.
/// </summary>
public sealed class ConnectionErrorBodiesTests : IAsyncLifetime
{
    /// <summary>An application answer that looks like Kestrel's refusal, written in a request: it must not be rewritten.</summary>
    private const string LookAlike = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";

    private WebApplication? _app;
    private Uri _server = new("http://127.0.0.1/");

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.UseConnectionErrorBodies();
        }));
        builder.Services.AddHttpEdgeLimits();
        _app = builder.Build();
        _app.UseHttpErrorBodies();
        _app.MapGet("/fhir/echo", () => Results.Text(LookAlike, "text/plain"));
        _app.MapMethods("/fhir/empty-400", ["HEAD"], (HttpContext context) =>
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentLength = 0;
            return Task.CompletedTask;
        });
        await _app.StartAsync();
        _server = new Uri(_app.Urls.Single());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }

    [Fact]
    public async Task GivenANulInTheFhirPath_WhenRequested_ThenKestrelsRefusalIsA400OperationOutcome()
    {
        var response = Assert.Single(RawHttp.Split(await RawHttp.GetAsync(_server, "/fhir/Patient/%00")));

        Assert.Equal(400, response.Status);
        Assert.StartsWith("application/fhir+json", response.Headers["content-type"], StringComparison.Ordinal);
        var issue = Assert.Single(FhirJson.Deserialize<OperationOutcome>(response.Body).Issue);
        Assert.Contains("%00", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Equal("close", response.Headers["connection"]);
    }

    [Theory]
    [InlineData("/account/login/%00")]
    [InlineData("/%00")]
    public async Task GivenANulInAPathOutsideFhir_WhenRequested_ThenTheRefusalIsProblemDetails(string target)
    {
        var response = Assert.Single(RawHttp.Split(await RawHttp.GetAsync(_server, target)));

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.Headers["content-type"]);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("%00", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAMalformedHeader_WhenSent_ThenTheRefusalHasABodyToo()
    {
        var response = Assert.Single(RawHttp.Split(await RawHttp.ExchangeAsync(_server,
            $"GET /fhir/echo HTTP/1.1\r\nHost: {_server.Authority}\r\nBad Header\r\n\r\n")));

        Assert.Equal(400, response.Status);
        Assert.Single(FhirJson.Deserialize<OperationOutcome>(response.Body).Issue);
    }

    [Fact]
    public async Task GivenGoodRequestsThenABadOneOnOneConnection_WhenAnswered_ThenTheApplicationsAnswersAreUntouched_AndOnlyTheRefusalGetsABody()
    {
        var host = $"Host: {_server.Authority}\r\n";
        var responses = RawHttp.Split(await RawHttp.ExchangeAsync(_server,
            $"GET /fhir/echo HTTP/1.1\r\n{host}\r\nHEAD /fhir/empty-400 HTTP/1.1\r\n{host}\r\nGET /fhir/echo HTTP/1.1\r\n{host}\r\nGET /fhir/%00 HTTP/1.1\r\n{host}\r\n"));

        Assert.Equal([200, 400, 200, 400], responses.Select(r => r.Status));
        Assert.Equal(LookAlike, responses[0].Body);
        Assert.Equal(("", "0"), (responses[1].Body, responses[1].Headers["content-length"])); // the application's own bodiless 400 (a HEAD) stays as written
        Assert.False(responses[1].Headers.ContainsKey("content-type"));
        Assert.Equal(LookAlike, responses[2].Body);
        Assert.Single(FhirJson.Deserialize<OperationOutcome>(responses[3].Body).Issue);
    }

    [Fact]
    public void GivenAListenerThatAlsoSpeaksHttp2_WhenTheBodiesAreInstalled_ThenItIsRefused()
    {
        var kestrel = new KestrelServerOptions();
        kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            Assert.Throws<ArgumentException>(() => listen.UseConnectionErrorBodies());
        });
    }
}
