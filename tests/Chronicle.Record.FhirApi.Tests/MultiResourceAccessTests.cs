using System.Net;
using System.Net.Http.Headers;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// A response that carries more than one resource applies to each the checks a direct read of it makes: an
/// <c>_include</c>d Patient needs a scope that permits reading Patient and the patient's relationship. One that fails
/// is left out, and an OperationOutcome entry (search mode outcome) says something was. Real signed tokens, libs/Security's
/// real pipeline; the access rules do not depend on the database, so SQLite serves.
/// </summary>
public sealed class MultiResourceAccessTests() : IAsyncLifetime
{
    private readonly SignedTokens _tokens = new();
    private readonly SampleRecord _record = new();
    private FhirApiServer? _server;

    private FhirApiServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(StorageBackend.Sqlite, FhirApiServer.Storage), security: _tokens.Register);
        await Server.AppendAsync(_record.PatientId, [_record.Registered, .. _record.Consultation(SampleRecord.Consulted)]);
        _tokens.Reachable.Add(_record.Id);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("Observation")]
    [InlineData("Encounter")]
    public async Task GivenATokenScopedToOneTypeOnly_WhenItsSearchIncludesThePatient_ThenThePatientIsLeftOutAndAnOutcomeSaysSo(string type)
    {
        var token = _tokens.Module($"system/{type}.rs");
        using var direct = await GetAsync(token, $"Patient/{_record.Id}");
        Assert.Equal(HttpStatusCode.Forbidden, direct.StatusCode);

        var bundle = await SearchAsync(token, $"{type}?patient={_record.Id}&_include={type}:patient");

        Assert.Contains(bundle.Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Match);
        Assert.DoesNotContain(bundle.Entry, e => e.Resource is Patient);
        var outcome = Assert.IsType<OperationOutcome>(bundle.Entry.Single(e => e.Search.Mode == Bundle.SearchEntryMode.Outcome).Resource);
        Assert.Equal(OperationOutcome.IssueType.Suppressed, outcome.Issue.Single().Code);
    }

    [Fact]
    public async Task GivenATokenThatMayReadPatientToo_WhenItsSearchIncludesThePatient_ThenThePatientIsIncludedWithoutAnOutcome()
    {
        var bundle = await SearchAsync(_tokens.Module("system/Observation.rs system/Patient.rs"),
            $"Observation?patient={_record.Id}&_include=Observation:patient");

        Assert.Equal(_record.Id, Assert.IsType<Patient>(bundle.Entry.Single(e => e.Search.Mode == Bundle.SearchEntryMode.Include).Resource).Id);
        Assert.DoesNotContain(bundle.Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Outcome);
    }

    [Fact]
    public async Task GivenATokenScopedToSomeTypes_WhenEverythingOrAnotherTypesHistoryIsAsked_Then403AndNoResource()
    {
        var token = _tokens.Module("system/Observation.rs");

        using var everything = await GetAsync(token, $"Patient/{_record.Id}/$everything");
        using var history = await GetAsync(token, $"Patient/{_record.Id}/_history");

        Assert.Equal(HttpStatusCode.Forbidden, everything.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, history.StatusCode);
        Assert.DoesNotContain(_record.NhsNumber, await everything.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> GetAsync(string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Server.Http.SendAsync(request);
    }

    private async Task<Bundle> SearchAsync(string token, string path)
    {
        using var response = await GetAsync(token, path);
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {response.Headers.WwwAuthenticate} {json}");
        return FhirAssert.Valid(Chronicle.Fhir.FhirJson.Deserialize<Bundle>(json));
    }
}
