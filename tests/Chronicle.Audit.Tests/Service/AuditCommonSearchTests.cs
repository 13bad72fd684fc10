using System.Net;
using Chronicle.Fhir;
using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Audit.Tests.Service;

/// <summary>
/// The common search parameters (_sort, _summary, _elements, _total, _count=0, total), <c>Prefer: handling</c> and HEAD on
/// the Audit service's AuditEvent search, which shares libs/Fhir's parsing and bundle building with the Record. Four entries
/// for one patient, chained in the order A, B, C, D, answered on 2025-01-03, -01, -04 and -02.
/// </summary>
public abstract class AuditCommonSearchTests(TestStorages storage) : IAsyncLifetime
{
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly string _patient = Guid.NewGuid().ToString();
    private AuditServer _server = null!;
    private string _first = "";

    private string Search => $"fhir/AuditEvent?patient={_patient}&site=record";

    public async Task InitializeAsync()
    {
        _server = await AuditServer.StartAsync(storage);
        foreach (var (name, day) in new[] { ("A", 3), ("B", 1), ("C", 4), ("D", 2) })
        {
            var entry = Entries.Read(_patient, at: new DateTimeOffset(2025, 1, day, 10, 0, 0, TimeSpan.Zero));
            await _server.IngestAsync(entry); // one at a time: the chain order is the order given
            _names[entry.EntryId.ToString()] = name;
            if (name == "A")
                _first = entry.EntryId.ToString();
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("", "A,B,C,D")]
    [InlineData("&_sort=date", "B,D,A,C")]
    [InlineData("&_sort=-date", "C,A,D,B")]
    [InlineData("&_sort=_lastUpdated", "B,D,A,C")]
    [InlineData("&_sort=-_lastUpdated", "C,A,D,B")]
    [InlineData("&date=ge2025-01-02&_sort=date", "D,A,C")]
    public async Task GivenEntries_WhenSortedByDateOrLastUpdated_ThenTheyComeInThatOrderWithTheExactTotal(string query, string expected)
    {
        var (status, bundle, _) = await SearchAsync(Search + query);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, Names(bundle!));
        Assert.Equal(expected.Split(',').Length, bundle!.Total);
    }

    [Fact]
    public async Task GivenASortedSearch_WhenPaged_ThenNextLinksKeepTheSortAndEveryPageTheTotal()
    {
        var (_, first, _) = await SearchAsync(Search + "&_sort=-date&_count=3&_total=accurate");
        Assert.Contains("_sort=-date", first!.NextLink!.Query, StringComparison.Ordinal);
        Assert.Contains("_total=accurate", first.NextLink.Query, StringComparison.Ordinal);
        var (_, second, _) = await SearchAsync(first.NextLink.PathAndQuery.TrimStart('/'));

        Assert.Equal(("C,A,D", "B"), (Names(first), Names(second!)));
        Assert.Equal((4, 4), (first.Total, second!.Total));
        Assert.Null(second.NextLink);
    }

    [Theory]
    [InlineData("&_summary=count", 4, 0)]
    [InlineData("&_count=0", 4, 0)]
    [InlineData("&_total=none", null, 4)]
    [InlineData("&_total=estimate&date=le2025-01-02", 2, 2)]
    public async Task GivenTotalAndCountOnly_WhenSearched_ThenTheTotalAndEntriesAreAsAsked(string query, int? total, int entries)
    {
        var (status, bundle, _) = await SearchAsync(Search + query);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(total, bundle!.Total);
        Assert.Equal(entries, bundle.Entry.Count);
    }

    [Fact]
    public async Task GivenElementsAndSummary_WhenSearched_ThenEntriesAreCutAndTaggedSubsetted()
    {
        var (_, elements, _) = await SearchAsync(Search + "&_elements=outcome&_sort=date");
        var (_, summary, failure) = await SearchAsync(Search + "&_summary=true");
        Assert.True(summary is not null, failure?.Issue.Single().Diagnostics);

        var cut = elements!.Entry.Select(e => Assert.IsType<AuditEvent>(e.Resource)).ToList();
        Assert.Equal("B,D,A,C", Names(elements));
        Assert.All(cut, e =>
        {
            Assert.NotNull(e.Outcome);
            Assert.NotNull(e.Type); // mandatory
            Assert.NotNull(e.Recorded); // mandatory
            Assert.NotEmpty(e.Agent); // mandatory
            Assert.Empty(e.Entity);
            Assert.Contains(e.Meta.Tag, t => t.System == ResourceSubsets.SubsettedSystem && t.Code == "SUBSETTED");
        });
        Assert.All(summary!.Entry, e => Assert.Contains(e.Resource.Meta.Tag, t => t.Code == "SUBSETTED"));
    }

    [Fact]
    public async Task GivenLenientAndStrictHandling_WhenAnUnknownParameterIsSent_ThenIgnoredAndLeftOutOfSelfOr400()
    {
        var (lenient, bundle, _) = await SearchAsync(Search + "&colour=red&_include=AuditEvent:agent", "handling=lenient");
        var (strict, _, outcome) = await SearchAsync(Search + "&colour=red&_include=AuditEvent:agent", "handling=strict");
        var (byDefault, _, _) = await SearchAsync(Search + "&colour=red");

        Assert.Equal(HttpStatusCode.OK, lenient);
        Assert.Equal("A,B,C,D", Names(bundle!));
        Assert.DoesNotContain("colour", bundle!.SelfLink!.Query, StringComparison.Ordinal);
        Assert.DoesNotContain("_include", bundle.SelfLink.Query, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (strict, byDefault));
        var diagnostics = outcome!.Issue.Single().Diagnostics;
        Assert.Contains("'colour'", diagnostics, StringComparison.Ordinal);
        Assert.Contains("'_include=AuditEvent:agent'", diagnostics, StringComparison.Ordinal);
        // AuditEvent has no includes: the error does not offer any.
        Assert.DoesNotContain("Supported: _include", diagnostics, StringComparison.Ordinal);
        Assert.DoesNotContain(", _include", diagnostics, StringComparison.Ordinal);
        Assert.DoesNotContain("Includes:", diagnostics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("&_sort=outcome", "'_sort=outcome'")]
    [InlineData("&_summary=maybe", "'_summary=maybe' is not a summary")]
    [InlineData("&_total=all", "'_total=all' is not a total")]
    [InlineData("&_elements=colour", "has no element 'colour'")]
    [InlineData("&_count=-3", "'_count' must be a whole number of 0 or more")]
    public async Task GivenABadInput_WhenSearched_Then400OperationOutcome(string query, string reason)
    {
        var (status, _, outcome) = await SearchAsync(Search + query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, outcome!.Issue.Single().Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenFirelysFhirClient_WhenItSearchesWithItsStandardHelpers_ThenEachAnswersAsAsked()
    {
        using var fhir = _server.Fhir();
        SearchParams Base() => new SearchParams().Where($"patient={_patient}").Where("site=record");

        var counted = await fhir.SearchAsync<AuditEvent>(Base().SummaryOnly(SummaryType.Count));
        var sorted = await fhir.SearchAsync<AuditEvent>(Base().OrderBy("date", SortOrder.Descending).LimitTo(2).Add("_total", "accurate"));
        var rest = await fhir.ContinueAsync(sorted!);
        var elements = await fhir.SearchAsync<AuditEvent>(Base().Select("outcome"));

        Assert.Equal((4, 0), (counted!.Total, counted.Entry.Count));
        Assert.Equal(("C,A", "D,B", 4), (Names(sorted!), Names(rest!), sorted!.Total));
        Assert.All(elements!.Entry, e => Assert.Empty(((AuditEvent)e.Resource).Entity));
    }

    [Theory]
    [InlineData("fhir/AuditEvent/{first}")]
    [InlineData("fhir/AuditEvent?patient={patient}&_sort=-date&_summary=count")]
    [InlineData("fhir/AuditEvent?patient={patient}&_elements=outcome")]
    [InlineData("fhir/metadata")]
    [InlineData("fhir/AuditEvent/{unknown}")]
    public async Task GivenAnyRead_WhenAskedWithHead_ThenStatusAndHeadersAreGetsAndThereIsNoBody(string path)
    {
        path = path.Replace("{first}", _first, StringComparison.Ordinal).Replace("{patient}", _patient, StringComparison.Ordinal)
            .Replace("{unknown}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        using var http = _server.Http();
        using var get = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path));
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    private async Task<(HttpStatusCode Status, Bundle? Bundle, OperationOutcome? Outcome)> SearchAsync(string query, string? prefer = null)
    {
        using var http = _server.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, query);
        if (prefer is not null)
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        using var response = await http.SendAsync(request);
        var body = FhirJson.Deserialize(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body as Bundle, body as OperationOutcome);
    }

    private string Names(Bundle bundle) => string.Join(",", bundle.Entry.Select(e => _names[e.Resource.Id]));
}

public sealed class SqliteAuditCommonSearchTests(SqliteStorages storage) : AuditCommonSearchTests(storage), IClassFixture<SqliteStorages>;

[Collection(SharedPostgres.Collection)]
public sealed class PostgresAuditCommonSearchTests(PostgresStorages storage) : AuditCommonSearchTests(storage), IClassFixture<PostgresStorages>;
