using System.Net.Http.Headers;
using System.Text.Json;
using Chronicle.Record.Fhir.Projection;
using Chronicle.Security;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// A search naming no patient shows only resources of patients the caller may reach, and its pages are still full:
/// every page but the last holds <c>_count</c> entries, a next link leads to at least one more, and across the pages
/// every reachable match appears exactly once, in order, and nothing else. Security is on: a signed bearer token is accepted
/// with a search scope, and the caller's relationships come from a table standing in for Identity's answer (the real
/// Identity service answers in Chronicle.Identity.Tests).
/// </summary>
public abstract class SearchPagingTests(StorageBackend storage) : IAsyncLifetime
{
    private static readonly DateTimeOffset Consulted = SampleRecord.Consulted;
    private readonly HashSet<string> _reachable = new(StringComparer.Ordinal);
    private readonly List<(SampleRecord Patient, Guid Weight)> _weights = [];
    private readonly List<SampleRecord> _patients = [];
    private FhirApiServer? _server;
    private HttpClient? _http;

    private FhirApiServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(storage, FhirApiServer.Storage), security: services =>
            services.AddSingleton<IPatientAccessChecker>(new ReachablePatients(_reachable)));
        _http = new HttpClient { BaseAddress = new Uri(Server.FhirBase.AbsoluteUri + "/") };
        // A caller with search and read scopes on every resource type.
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Server.Tokens.Create(new Dictionary<string, object> { [ChronicleClaims.Scope] = "user/*.rs", [ChronicleClaims.Subject] = "gp" }));

        // Nine patients, four of them reachable. First a run of 24 weights of unreachable patients (a page must read
        // on past them), then rounds that interleave every patient, so reachable and unreachable rows alternate.
        for (var i = 0; i < 9; i++)
        {
            var patient = new SampleRecord(nhsNumber: $"99900012{i:D2}", family: "Okafor", given: $"Ada{i}");
            _patients.Add(patient);
            if (i is 0 or 3 or 4 or 8)
                _reachable.Add(patient.Id);
            await Server.AppendAsync(patient.PatientId, [patient.Registered, .. patient.Consultation(Consulted)]);
        }

        foreach (var patient in _patients.Where(p => !_reachable.Contains(p.Id)).Take(3))
            await AddWeightsAsync(patient, 8);
        for (var round = 0; round < 3; round++)
        {
            foreach (var patient in _patients)
                await AddWeightsAsync(patient, 1 + round % 2);
        }
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_server is not null)
            await _server.DisposeAsync();
    }

    private async Task AddWeightsAsync(SampleRecord patient, int count)
    {
        var weights = Enumerable.Range(0, count).Select(i => SampleRecord.WeightOn(patient.Encounter, Consulted.AddDays(_weights.Count + i), 70)).ToArray();
        await Server.AppendAsync(patient.PatientId, weights);
        _weights.AddRange(weights.Select(w => (patient, w.EntryId)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(50)]
    public async Task GivenSearchNamingNoPatient_WhenPaged_ThenPagesAreFullAndEveryReachableMatchAppearsOnceAndNothingElse(int count)
    {
        var expected = _weights.Where(w => _reachable.Contains(w.Patient.Id)).Select(w => w.Weight.ToString("D")).ToList();

        var pages = await AllPagesAsync($"Observation?code=27113001&_count={count}");

        Assert.Equal(expected, pages.SelectMany(p => p));
        Assert.All(pages.SkipLast(1), page => Assert.Equal(count, page.Count));
        Assert.NotEmpty(pages[^1]);
    }

    [Fact]
    public async Task GivenPatientSearchNamingNoPatient_WhenPaged_ThenPagesAreFullAndOnlyReachablePatientsAppear()
    {
        var pages = await AllPagesAsync("Patient?name=Okafor&_count=1");

        Assert.Equal(_patients.Where(p => _reachable.Contains(p.Id)).Select(p => p.Id), pages.SelectMany(p => p));
        Assert.All(pages, page => Assert.Single(page));
    }

    [Fact]
    public async Task GivenCallerReachesNoMatchingPatient_WhenSearched_ThenOneEmptyPageWithNoNextLink()
    {
        _reachable.Clear();

        var pages = await AllPagesAsync("Observation?code=27113001&_count=2");

        Assert.Single(pages);
        Assert.Empty(pages[0]);
    }

    [Fact]
    public async Task GivenASearchNamingAReachablePatient_WhenPaged_ThenEveryMatchOfThatPatientIsShownUnfiltered()
    {
        var patient = _patients[3];

        var pages = await AllPagesAsync($"Observation?patient={patient.Id}&code=27113001&_count=2");

        Assert.Equal(_weights.Where(w => w.Patient == patient).Select(w => w.Weight.ToString("D")), pages.SelectMany(p => p));
        Assert.All(pages.SkipLast(1), page => Assert.Equal(2, page.Count));
    }

    /// <summary>The ids of the matches on each page, following next links to the end.</summary>
    private async Task<List<List<string>>> AllPagesAsync(string query)
    {
        var pages = new List<List<string>>();
        Uri? next = new(query, UriKind.Relative);
        while (next is not null)
        {
            Assert.True(pages.Count < 100, "The next links go on and on.");
            using var response = await _http!.GetAsync(next);
            Assert.True(response.IsSuccessStatusCode, $"{next}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            using var bundle = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = bundle.RootElement;
            pages.Add(root.TryGetProperty("entry", out var entries)
                ? entries.EnumerateArray()
                    .Where(e => e.GetProperty("search").GetProperty("mode").GetString() == "match")
                    .Select(e => e.GetProperty("resource").GetProperty("id").GetString()!)
                    .ToList()
                : []);
            next = root.TryGetProperty("link", out var links)
                ? links.EnumerateArray().Where(l => l.GetProperty("relation").GetString() == "next")
                    .Select(l => new Uri(l.GetProperty("url").GetString()!)).FirstOrDefault()
                : null;
        }

        return pages;
    }
}

public sealed class SqliteSearchPagingTests() : SearchPagingTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresSearchPagingTests() : SearchPagingTests(StorageBackend.Postgres);
