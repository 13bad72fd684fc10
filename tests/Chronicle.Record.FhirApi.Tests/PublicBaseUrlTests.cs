using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>With Chronicle:PublicBaseUrl set, every fullUrl and link starts with it, whatever Host header a request carried.</summary>
public sealed class PublicBaseUrlTests
{
    [Fact]
    public async Task GivenAPublicBaseUrl_WhenARequestForgesItsHost_ThenFullUrlsAndLinksNameThePublicBase()
    {
        await using var server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(StorageBackend.Sqlite, FhirApiServer.Storage),
            settings: new Dictionary<string, string?> { [FhirRequestUrls.PublicBaseUrlSetting] = "https://fhir.example.nhs.uk/" });
        var record = new SampleRecord();
        await server.AppendAsync(record.PatientId, [record.Registered, .. record.Consultation(SampleRecord.Consulted)]);

        async Task<Bundle> GetAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = "evil.example";
            using var response = await server.Http.SendAsync(request);
            return FhirJson.Deserialize<Bundle>(await response.Content.ReadAsStringAsync());
        }

        var search = await GetAsync($"Observation?patient={record.Id}&_include=Observation:patient&_count=1");
        var history = await GetAsync($"Patient/{record.Id}/_history");
        var everything = await GetAsync($"Patient/{record.Id}/$everything?_count=1");

        var urls = new[] { search, history, everything }
            .SelectMany(b => b.Entry.Select(e => e.FullUrl).Concat(b.Link.Select(l => l.Url)))
            .ToList();
        Assert.NotEmpty(urls);
        Assert.All(urls, url => Assert.StartsWith("https://fhir.example.nhs.uk/fhir/", url, StringComparison.Ordinal));
    }
}
