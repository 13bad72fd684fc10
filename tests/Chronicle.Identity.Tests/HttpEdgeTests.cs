using System.Net;
using System.Text;
using System.Text.Json;

namespace Chronicle.Identity.Tests;

/// <summary>
/// Identity's HTTP edge: a request that cannot be served gets the status that says why, with an RFC 9457 problem
/// details body, never a bare status or a 500. A wrong content type is a 415 before any token is asked for.
/// </summary>
public sealed class HttpEdgeTests : IAsyncLifetime
{
    private IdentityInstance? _identity;
    private HttpClient? _http;

    private HttpClient Http => _http!;

    public async Task InitializeAsync()
    {
        _identity = await IdentityInstance.StartAsync();
        _http = new HttpClient { BaseAddress = _identity.Http };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_identity is not null)
            await _identity.DisposeAsync();
    }

    [Fact]
    public async Task GivenA50MegabyteLoginForm_WhenPosted_Then413WithProblemDetails()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "account/login")
        {
            Content = new FormUrlEncodedContent([new("username", new string('a', 50 * 1024 * 1024)), new("password", "x")]),
        };
        request.Headers.ExpectContinue = true; // the server may refuse before the body is sent, as it should

        using var response = await Http.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task GivenAWrongContentType_WhenPostedWithoutAToken_Then415NotA401()
    {
        using var response = await Http.PostAsync("modules", new StringContent("name=x", Encoding.UTF8, "text/plain"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task GivenMalformedJson_WhenPosted_Then400WithProblemDetails()
    {
        using var response = await Http.PostAsync("modules", new StringContent("{\"name\": ", Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task GivenAMethodAnAddressDoesNotAnswer_WhenSent_Then405WithAllowAndProblemDetails()
    {
        using var response = await Http.DeleteAsync("modules");

        await AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task GivenAnOverLongUri_WhenRequested_Then414WithProblemDetails()
    {
        using var response = await Http.GetAsync("account/login?returnUrl=" + new string('a', 10_000));

        await AssertProblemAsync(response, HttpStatusCode.RequestUriTooLong);
    }

    /// <remarks>A NUL in the path is refused by Kestrel itself (400) before any middleware runs, so its body cannot be ours.</remarks>
    [Fact]
    public async Task GivenANulInTheQuery_WhenRequested_Then400WithProblemDetails()
    {
        using var response = await Http.GetAsync("account/login?returnUrl=%00");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task GivenANulInThePath_WhenRequested_ThenKestrelsOwnRefusalIsA400WithProblemDetails()
    {
        var response = Assert.Single(Chronicle.Testing.RawHttp.Split(await Chronicle.Testing.RawHttp.GetAsync(_identity!.Http, "/account/login/%00")));

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.Headers["content-type"]);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(400, problem.RootElement.GetProperty("status").GetInt32());
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()));
    }
}
