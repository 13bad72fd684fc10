using System.Net;
using Chronicle.Fhir;
using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// The search parameters every FHIR search takes (_sort, _summary, _elements, _total, _count=0, total) and
/// <c>Prefer: handling</c>, on the Record over real HTTP, against a known data set: which ids, in which order, the exact
/// total. Three patients (born 1950, 1990, 1970, registered in that order); four weights, recorded one at a time in the
/// order W1 (2024-01-10), W2 (2024-03-05), W3 (2023-12-01) for the first patient and W4 (2024-02-20) for the second.
/// </summary>
public abstract class CommonSearchParameterTests(StorageBackend storage) : IAsyncLifetime
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private FhirApiServer? _server;

    private FhirApiServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(storage, FhirApiServer.Storage));
        var p1 = new SampleRecord("9990007001", "Adeyemi", birthDate: new DateOnly(1950, 1, 1));
        var p2 = new SampleRecord("9990007002", "Brennan", birthDate: new DateOnly(1990, 6, 15));
        var p3 = new SampleRecord("9990007003", "Chowdhury", birthDate: new DateOnly(1970, 3, 3));
        await Server.AppendAsync(p1.PatientId, [p1.Registered, .. p1.Consultation(SampleRecord.Consulted)]);
        await Server.AppendAsync(p2.PatientId, [p2.Registered, .. p2.Consultation(SampleRecord.Consulted)]);
        await Server.AppendAsync(p3.PatientId, p3.Registered);
        (_names[p1.Id], _names[p2.Id], _names[p3.Id]) = ("P1", "P2", "P3");
        foreach (var (name, patient, day) in new[]
        {
            ("W1", p1, new DateTimeOffset(2024, 1, 10, 9, 0, 0, TimeSpan.Zero)),
            ("W2", p1, new DateTimeOffset(2024, 3, 5, 9, 0, 0, TimeSpan.Zero)),
            ("W3", p1, new DateTimeOffset(2023, 12, 1, 9, 0, 0, TimeSpan.Zero)),
            ("W4", p2, new DateTimeOffset(2024, 2, 20, 9, 0, 0, TimeSpan.Zero)),
        })
        {
            await Task.Delay(2); // distinct lastUpdated instants
            var weight = SampleRecord.WeightOn(patient.Encounter, day, 70);
            await Server.AppendAsync(patient.PatientId, weight);
            _names[weight.EntryId.ToString("D")] = name;
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    private const string Weights = "Observation?code=27113001";

    [Theory]
    [InlineData("", "W1,W2,W3,W4")]
    [InlineData("&_sort=date", "W3,W1,W4,W2")]
    [InlineData("&_sort=-date", "W2,W4,W1,W3")]
    [InlineData("&_sort=_lastUpdated", "W1,W2,W3,W4")]
    [InlineData("&_sort=-_lastUpdated", "W4,W3,W2,W1")]
    [InlineData("&_sort=patient", null)]
    public async Task GivenWeights_WhenSortedByEachSortableParameter_ThenTheyComeInThatOrderWithTheExactTotal(string sort, string? expected)
    {
        var (status, bundle, outcome) = await SearchAsync(Weights + sort);

        if (expected is null)
        {
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("'_sort=patient'", outcome!.Issue.Single().Diagnostics, StringComparison.Ordinal);
            Assert.Contains("Sortable: _lastUpdated, date", outcome.Issue.Single().Diagnostics, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, Names(bundle!));
        Assert.Equal(4, bundle!.Total);
    }

    [Theory]
    [InlineData("_sort=birthdate", "P1,P3,P2")]
    [InlineData("_sort=-birthdate", "P2,P3,P1")]
    [InlineData("_sort=-birthdate,_lastUpdated", "P2,P3,P1")]
    [InlineData("birthdate=ge1960&_sort=birthdate", "P3,P2")]
    public async Task GivenPatients_WhenSortedByBirthDate_ThenTheyComeInThatOrder(string query, string expected)
    {
        var (status, bundle, _) = await SearchAsync("Patient?" + query);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, Names(bundle!));
        Assert.Equal(expected.Split(',').Length, bundle!.Total);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task GivenASortedSearch_WhenPagedByNextLinks_ThenThePagesKeepTheSortAndTheTotal(int count)
    {
        var pages = new List<Bundle>();
        var next = new Uri($"{Weights}&_sort=-date&_count={count}&_total=accurate", UriKind.Relative);
        while (next is not null)
        {
            var (status, page, _) = await SearchAsync(next.ToString());
            Assert.Equal(HttpStatusCode.OK, status);
            pages.Add(page!);
            next = page!.NextLink;
            if (next is not null)
            {
                Assert.Contains("_sort=-date", next.Query, StringComparison.Ordinal);
                Assert.Contains("_total=accurate", next.Query, StringComparison.Ordinal);
            }
        }

        Assert.Equal("W2,W4,W1,W3", string.Join(",", pages.Select(Names).Where(n => n.Length > 0)));
        Assert.Equal((4 + count - 1) / count, pages.Count);
        Assert.All(pages, p => Assert.Equal(4, p.Total));
    }

    [Theory]
    [InlineData("&_summary=count")]
    [InlineData("&_count=0")]
    [InlineData("&_count=0&_sort=-date")]
    public async Task GivenACountOnlySearch_WhenAnswered_ThenTheTotalAloneAndNoEntriesNorNextLink(string query)
    {
        var (status, bundle, _) = await SearchAsync(Weights + query);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, bundle!.Total);
        Assert.Empty(bundle.Entry);
        Assert.Null(bundle.NextLink);
    }

    [Theory]
    [InlineData("", 4)]
    [InlineData("&_total=accurate", 4)]
    [InlineData("&_total=estimate", 4)]
    [InlineData("&_total=none", null)]
    [InlineData("&_count=1", 4)]
    [InlineData("&date=ge2024-02", 2)]
    [InlineData("&date=2025", 0)]
    public async Task GivenTotal_WhenSearched_ThenTheBundleCarriesTheExactCountOfAllPagesUnlessNone(string query, int? total)
    {
        var (status, bundle, _) = await SearchAsync(Weights + query);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(total, bundle!.Total);
    }

    [Fact]
    public async Task GivenSummaryTrueTextAndData_WhenSearched_ThenEntriesAreCutAsTheSpecificationSaysAndTaggedSubsetted()
    {
        var summary = Matches(await OkAsync($"{Weights}&_summary=true&_sort=date"));
        var text = Matches(await OkAsync($"{Weights}&_summary=text&_sort=date"));
        var data = Matches(await OkAsync($"{Weights}&_summary=data&_sort=date"));
        var full = Matches(await OkAsync($"{Weights}&_summary=false&_sort=date"));

        Assert.Equal(["W3", "W1", "W4", "W2"], summary.Select(o => _names[o.Id]));
        Assert.All(summary.Concat(text).Concat(data), o => Assert.Contains(o.Meta.Tag, t => t.System == ResourceSubsets.SubsettedSystem && t.Code == "SUBSETTED"));
        Assert.All(full, o => Assert.DoesNotContain(o.Meta.Tag, t => t.Code == "SUBSETTED"));
        // Summary: value and subject (summary elements) kept.
        Assert.All(summary, o => Assert.True(o.Value is Quantity && o.Subject is not null && o.Code is not null));
        // Text: id, meta, text and the mandatory elements (status, code) only.
        Assert.All(text, o => Assert.True(o.Value is null && o.Subject is null && o.Effective is null && o.Code is not null && o.Status is not null));
        // Data: everything but text.
        Assert.All(data, o => Assert.True(o.Text is null && o.Value is Quantity && o.Subject is not null));
        Assert.All(full, o => Assert.True(o.Value is Quantity && o.Encounter is not null));
    }

    [Fact]
    public async Task GivenElements_WhenSearched_ThenEntriesHoldTheNamedAndMandatoryElementsOnlyTaggedSubsetted()
    {
        var bundle = await OkAsync($"{Weights}&_elements=value,effective&_sort=-date&_count=2");
        var entries = Matches(bundle);

        Assert.Equal(["W2", "W4"], entries.Select(o => _names[o.Id]));
        Assert.All(entries, o =>
        {
            Assert.IsType<Quantity>(o.Value);
            Assert.NotNull(o.Effective);
            Assert.NotNull(o.Code); // mandatory
            Assert.NotNull(o.Status); // mandatory
            Assert.Null(o.Subject);
            Assert.Null(o.Encounter);
            Assert.Contains(o.Meta.Tag, t => t.Code == "SUBSETTED");
        });
        Assert.Contains("_elements=value,effective", Uri.UnescapeDataString(bundle.NextLink!.Query), StringComparison.Ordinal);
        Assert.Equal(4, bundle.Total);
    }

    [Fact]
    public async Task GivenLenientHandling_WhenUnknownOrUnsupportedParametersAreSent_ThenTheyAreIgnoredAndLeftOutOfTheSelfLink()
    {
        var (status, bundle, _) = await SearchAsync($"{Weights}&colour=red&_sort=code,-date&_elements=value,wingspan&_include=Observation:performer",
            "handling=lenient");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("W2,W4,W1,W3", Names(bundle!));
        Assert.Equal(4, bundle!.Total);
        var self = bundle.SelfLink!.Query;
        Assert.DoesNotContain("colour", self, StringComparison.Ordinal);
        Assert.DoesNotContain("wingspan", self, StringComparison.Ordinal);
        Assert.DoesNotContain("_include", self, StringComparison.Ordinal);
        Assert.Equal("?code=27113001&_sort=-date&_elements=value", Uri.UnescapeDataString(self));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("handling=strict")]
    [InlineData("return=minimal, handling=strict")]
    public async Task GivenStrictOrNoHandling_WhenUnknownParametersAreSent_Then400NamingThem(string? prefer)
    {
        var (status, _, outcome) = await SearchAsync($"{Weights}&colour=red&_sort=code", prefer);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var diagnostics = outcome!.Issue.Single().Diagnostics;
        Assert.Contains("'colour'", diagnostics, StringComparison.Ordinal);
        Assert.Contains("'_sort=code'", diagnostics, StringComparison.Ordinal);
        Assert.Contains("handling=lenient", diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenATypeWithNoIncludes_WhenRefused_ThenTheErrorListsOnlyWhatItSupports()
    {
        var (_, _, patient) = await SearchAsync("Patient?colour=red");
        var (_, _, condition) = await SearchAsync("Condition?colour=red");

        Assert.DoesNotContain("_include", patient!.Issue.Single().Diagnostics, StringComparison.Ordinal);
        Assert.Contains("_sort, _summary, _elements, _total", patient.Issue.Single().Diagnostics, StringComparison.Ordinal);
        Assert.Contains("_include", condition!.Issue.Single().Diagnostics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("&_summary=short", null, "'_summary=short' is not a summary")]
    [InlineData("&_total=some", null, "'_total=some' is not a total")]
    [InlineData("&_count=-1", null, "'_count' must be a whole number of 0 or more")]
    [InlineData("&_count=1&_count=2", null, "'_count' is given more than once")]
    [InlineData("&_sort=date&_sort=-date", null, "'_sort' is given more than once")]
    [InlineData("&_sort=date,-date", null, "'_sort' names 'date' more than once")]
    [InlineData("&_elements=wingspan", null, "has no element 'wingspan'")]
    [InlineData("&_summary=true&_elements=value", null, "cannot be used together")]
    [InlineData("&date=2024-13-01", "handling=lenient", "not a real date")]
    [InlineData("", "handling=sloppy", "'Prefer: handling=sloppy' is not a handling")]
    public async Task GivenABadInput_WhenSearched_Then400OperationOutcomeSaysWhat(string query, string? prefer, string reason)
    {
        var (status, bundle, outcome) = await SearchAsync(Weights + query, prefer);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Null(bundle);
        Assert.Contains(reason, outcome!.Issue.Single().Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenACursorOfOneSort_WhenUsedWithAnother_Then400()
    {
        var first = await OkAsync($"{Weights}&_sort=-date&_count=1");
        var cursor = System.Web.HttpUtility.ParseQueryString(first.NextLink!.Query)["_cursor"];

        var (status, _, outcome) = await SearchAsync($"{Weights}&_sort=date&_count=1&_cursor={cursor}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("sorted by '-date', not by 'date'", outcome!.Issue.Single().Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenFirelysFhirClient_WhenItSearchesWithItsStandardHelpers_ThenEachAnswersAsAsked()
    {
        using var client = Server.CreateClient();

        var counted = await client.SearchAsync<Observation>(new SearchParams().Where("code=27113001").SummaryOnly(SummaryType.Count));
        var sorted = await client.SearchAsync<Observation>(new SearchParams().Where("code=27113001").OrderBy("date", SortOrder.Descending).LimitTo(3));
        var elements = await client.SearchAsync<Observation>(new SearchParams().Where("code=27113001").OrderBy("date").Select("value"));
        var noTotal = await client.SearchAsync<Observation>(new SearchParams().Where("code=27113001").Add("_total", "none"));
        var summarised = await client.SearchAsync<Patient>(new SearchParams().OrderBy("birthdate").SummaryOnly(SummaryType.True));

        Assert.Equal((4, 0), (counted!.Total, counted.Entry.Count));
        Assert.Equal("W2,W4,W1", Names(sorted!));
        Assert.Equal(4, sorted!.Total);
        var rest = await client.ContinueAsync(sorted);
        Assert.Equal("W3", Names(rest!));
        Assert.Equal("W3,W1,W4,W2", Names(elements!));
        Assert.All(Matches(elements!), o => Assert.True(o.Value is Quantity && o.Subject is null));
        Assert.Null(noTotal!.Total);
        Assert.Equal(4, noTotal.Entry.Count);
        Assert.Equal("P1,P3,P2", Names(summarised!));
        Assert.All(summarised!.Entry, e => Assert.Contains(e.Resource.Meta.Tag, t => t.Code == "SUBSETTED"));
    }

    [Fact]
    public async Task GivenFirelysLenientSetting_WhenItSearchesWithAnUnknownParameter_ThenTheSearchIsAnsweredWithout()
    {
        using var client = Server.CreateClient();
        client.Settings.PreferredParameterHandling = SearchParameterHandling.Lenient;

        var bundle = await client.SearchAsync<Observation>(new SearchParams().Where("code=27113001").Add("colour", "red").OrderBy("_lastUpdated"));

        Assert.Equal("W1,W2,W3,W4", Names(bundle!));
        Assert.DoesNotContain("colour", bundle!.SelfLink!.Query, StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, Bundle? Bundle, OperationOutcome? Outcome)> SearchAsync(string query, string? prefer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, query);
        if (prefer is not null)
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        using var response = await Server.Http.SendAsync(request);
        var body = FhirJson.Deserialize(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body as Bundle, body as OperationOutcome);
    }

    private async Task<Bundle> OkAsync(string query)
    {
        var (status, bundle, outcome) = await SearchAsync(query);
        Assert.True(status == HttpStatusCode.OK, outcome?.Issue.Single().Diagnostics);
        return FhirAssert.Valid(bundle!);
    }

    private static List<Observation> Matches(Bundle bundle) => [.. FhirAssert.Matches<Observation>(bundle)];

    private string Names(Bundle bundle) =>
        string.Join(",", bundle.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Match).Select(e => _names[e.Resource.Id]));
}

public sealed class SqliteCommonSearchParameterTests() : CommonSearchParameterTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresCommonSearchParameterTests() : CommonSearchParameterTests(StorageBackend.Postgres);
