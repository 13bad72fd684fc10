using System.Net;
using System.Net.Http.Headers;
using Chronicle.Fhir;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// HTTP as FHIR and RFC 9110 mean it, on the Record's FHIR API with libs/Security's real pipeline and real signed tokens:
/// HEAD mirrors GET, a 405 says what is allowed, a search may come by POST [type]/_search, a wrong content type is a 415
/// (before any token is asked for), and the page-size rule is the one the errors and the CapabilityStatement state.
/// </summary>
public sealed class FhirHttpTests() : IAsyncLifetime
{
    private readonly SignedTokens _tokens = new();
    private readonly SampleRecord _record = new();
    private FhirApiServer? _server;
    private string _token = "";

    private FhirApiServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(StorageBackend.Sqlite, FhirApiServer.Storage), security: _tokens.Register);
        await Server.AppendAsync(_record.PatientId, [_record.Registered, .. _record.Consultation(SampleRecord.Consulted)]);
        await Server.AppendAsync(_record.PatientId, SampleRecord.WeightOn(_record.Encounter, SampleRecord.Consulted, 71));
        _tokens.Reachable.Add(_record.Id);
        _token = _tokens.Module("system/*.rs");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("Patient/{id}")]
    [InlineData("Patient/{id}/_history/1")]
    [InlineData("Patient/{id}/_history")]
    [InlineData("Observation?patient={id}")]
    [InlineData("Patient/{id}/$everything")]
    [InlineData("metadata")]
    [InlineData("Patient/not-known")]
    public async Task GivenAnyRead_WhenAskedWithHead_ThenStatusAndHeadersAreGetsAndThereIsNoBody(string path)
    {
        path = path.Replace("{id}", _record.Id, StringComparison.Ordinal);
        using var get = await SendAsync(HttpMethod.Get, path, _token);
        using var head = await SendAsync(HttpMethod.Head, path, _token);

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("PUT", "Patient/{id}", "GET, HEAD")]
    [InlineData("DELETE", "Observation/{id}", "GET, HEAD")]
    [InlineData("POST", "Observation", "GET, HEAD")]
    [InlineData("DELETE", "Observation/_search", "GET, HEAD, POST")]
    public async Task GivenAMethodTheApiDoesNotAnswer_WhenUsed_Then405WithAnAllowHeaderAndAnOutcome(string method, string path, string allowed)
    {
        using var response = await SendAsync(new HttpMethod(method), path.Replace("{id}", _record.Id, StringComparison.Ordinal), _token);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allowed, string.Join(", ", response.Content.Headers.Allow));
        FhirJson.Deserialize<OperationOutcome>(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task GivenASearchByPost_WhenAnswered_ThenItAnswersAsTheSameSearchByGet_AndItsLinksAreGetUrls()
    {
        using var get = await SendAsync(HttpMethod.Get, $"Observation?patient={_record.Id}&code=27113001&_count=1", _token);
        using var post = await SendAsync(HttpMethod.Post, $"Observation/_search?patient={_record.Id}", _token,
            new FormUrlEncodedContent([new("code", "27113001"), new("_count", "1")]));

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        var byGet = FhirJson.Deserialize<Bundle>(await get.Content.ReadAsStringAsync());
        var byPost = FhirJson.Deserialize<Bundle>(await post.Content.ReadAsStringAsync());
        Assert.Equal(byGet.Entry.Select(e => e.FullUrl), byPost.Entry.Select(e => e.FullUrl));
        Assert.Single(byPost.Entry);
        Assert.Equal(new Uri(Server.FhirBase + $"/Observation?patient={_record.Id}&code=27113001&_count=1"), new Uri(byPost.SelfLink.ToString()));
    }

    [Fact]
    public async Task GivenASearchByPostWithTheWrongContentType_WhenSent_Then415WithOrWithoutAToken_AndARightOneWithoutAToken401()
    {
        foreach (var token in new[] { _token, null })
        {
            using var json = await SendAsync(HttpMethod.Post, "Observation/_search", token,
                new StringContent("{\"code\":\"27113001\"}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
            Assert.Equal(OperationOutcome.IssueType.NotSupported,
                FhirJson.Deserialize<OperationOutcome>(await json.Content.ReadAsStringAsync()).Issue.Single().Code);
        }

        using var anonymous = await SendAsync(HttpMethod.Post, "Observation/_search", null, new FormUrlEncodedContent([new("code", "27113001")]));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task GivenABadCount_WhenSearched_ThenTheErrorStatesTheRuleTheServerApplies_AsTheCapabilityStatementDoes()
    {
        using var search = await SendAsync(HttpMethod.Get, $"Observation?patient={_record.Id}&_count=-1", _token);
        using var history = await SendAsync(HttpMethod.Get, $"Patient/{_record.Id}/_history?_count=x", _token);
        using var capped = await SendAsync(HttpMethod.Get, $"Observation?patient={_record.Id}&_count=100000", _token);
        using var metadata = await SendAsync(HttpMethod.Get, "metadata", null);

        const string rule = "at most 100: a larger '_count' is cut to 100";
        Assert.Equal(HttpStatusCode.BadRequest, search.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, history.StatusCode);
        Assert.Contains(rule, FhirJson.Deserialize<OperationOutcome>(await search.Content.ReadAsStringAsync()).Issue.Single().Diagnostics, StringComparison.Ordinal);
        Assert.Contains(rule, FhirJson.Deserialize<OperationOutcome>(await history.Content.ReadAsStringAsync()).Issue.Single().Diagnostics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, capped.StatusCode);
        Assert.Contains(rule, FhirJson.Deserialize<CapabilityStatement>(await metadata.Content.ReadAsStringAsync()).Rest.Single().Documentation,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Patient?name=%00", HttpStatusCode.BadRequest)]
    [InlineData("Patient?name={long}", HttpStatusCode.RequestUriTooLong)]
    public async Task GivenAQueryTheServerRefusesBeforeReadingIt_WhenSent_ThenAnOperationOutcomeSaysWhy(string path, HttpStatusCode status)
    {
        using var response = await SendAsync(HttpMethod.Get, path.Replace("{long}", new string('a', 10_000), StringComparison.Ordinal), _token);

        Assert.Equal(status, response.StatusCode);
        var outcome = FhirJson.Deserialize<OperationOutcome>(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(outcome.Issue.Single().Diagnostics));
    }

    [Fact]
    public async Task GivenASearchByPostOverTheBodyLimit_WhenSent_Then413OperationOutcome()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "Observation/_search")
        {
            Content = new FormUrlEncodedContent([new("code", new string('1', 2 * 1024 * 1024))]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        request.Headers.ExpectContinue = true;

        using var response = await Server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        FhirJson.Deserialize<OperationOutcome>(await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Server.Http.SendAsync(request);
    }
}
