using System.Net;
using System.Net.Http.Headers;
using Chronicle.Fhir;
using Hl7.Fhir.Model;
using static Chronicle.Record.Domain.RecordEventsV1;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// <c>Patient/$everything</c>'s standard parameters (start, end, _type, _since, _count) and Chronicle's <c>_at</c>, alone and
/// together, and HEAD on every read kind, over real HTTP. The record: the sample consultation of 2024-03-01 (its problem
/// began 2020-05-01, medication 2023-06-01, immunisation 2023-10-05; allergy, referral and note dated when recorded, now);
/// then, after a cut, a weight of 2024-05-01 and the problem resolved.
/// </summary>
public abstract class EverythingParameterTests(StorageBackend storage) : IAsyncLifetime
{
    private readonly SampleRecord _record = new("9990008001", "Ellery");
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private FhirApiServer? _server;
    private string _cut = "";

    private FhirApiServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(storage, FhirApiServer.Storage));
        await Server.AppendAsync(_record.PatientId, [_record.Registered, .. _record.Consultation(SampleRecord.Consulted)]);
        await Task.Delay(5);
        _cut = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("o"));
        await Task.Delay(5);
        var weight = SampleRecord.WeightOn(_record.Encounter, new DateTimeOffset(2024, 5, 1, 9, 0, 0, TimeSpan.Zero), 80);
        await Server.AppendAsync(_record.PatientId, weight, new ProblemResolved(_record.Problem, new DateOnly(2024, 6, 1)));
        _names[_record.Id] = "Patient";
        _names[$"{_record.Encounter:D}"] = "Encounter";
        _names[$"{_record.Problem:D}"] = "Condition";
        _names[$"{_record.Observation:D}"] = "BP";
        _names[$"{_record.Allergy:D}"] = "Allergy";
        _names[$"{_record.Medication:D}"] = "Medication";
        _names[$"{_record.Immunisation:D}"] = "Immunisation";
        _names[$"{_record.Referral:D}"] = "Referral";
        _names[$"{_record.Note:D}"] = "Note";
        _names[$"{weight.EntryId:D}"] = "Weight";
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("start=2023-01-01&end=2023-12-31", "Patient,Medication,Immunisation")]
    [InlineData("end=2021", "Patient,Condition")]
    [InlineData("start=2024-03-01&end=2024-03-01", "Patient,Encounter,BP")]
    [InlineData("start=2024-04&end=2024-12", "Patient,Weight")]
    [InlineData("_type=Condition,Observation", "Condition,BP,Weight")]
    [InlineData("_type=Patient", "Patient")]
    [InlineData("_type=Condition&_type=Immunization", "Condition,Immunisation")]
    [InlineData("_type=Observation&start=2024-03", "BP,Weight")]
    [InlineData("_type=Observation,Condition&end=2024-04-01", "Condition,BP")]
    [InlineData("_since={cut}&_type=Observation,Condition,Patient", "Condition,Weight")]
    [InlineData("_since={cut}&_type=Observation,Condition&end=2024-04-01", "Condition")]
    [InlineData("_at={cut}&_type=Observation", "BP")]
    [InlineData("_at={cut}&start=2024-04&end=2024-12", "Patient")]
    [InlineData("_at={cut}&start=2023-01-01&end=2023-12-31&_type=MedicationStatement,Condition", "Medication")]
    [InlineData("_at={cut}&_since={cut}", "")]
    public async Task GivenARecord_WhenEverythingIsAskedWithStandardParameters_ThenExactlyThoseResourcesInRecordOrderWithTheTotal(string query, string expected)
    {
        var (status, bundle, outcome) = await EverythingAsync(query.Replace("{cut}", _cut, StringComparison.Ordinal));

        Assert.True(status == HttpStatusCode.OK, outcome?.Issue.Single().Diagnostics);
        Assert.Equal(expected, Names(bundle!));
        Assert.Equal(expected.Length == 0 ? 0 : expected.Split(',').Length, bundle!.Total);
        FhirAssert.Valid(bundle);
    }

    [Fact]
    public async Task GivenAsAtACut_WhenOnlyConditionsAreAsked_ThenTheProblemIsAsItThenStood()
    {
        var (_, then, _) = await EverythingAsync($"_at={_cut}&_type=Condition");
        var (_, now, _) = await EverythingAsync("_type=Condition");

        Assert.Equal("active", then!.Entry.Select(e => (Condition)e.Resource).Single().ClinicalStatus.Coding.Single().Code);
        Assert.Equal("resolved", now!.Entry.Select(e => (Condition)e.Resource).Single().ClinicalStatus.Coding.Single().Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("_at={later}&")]
    public async Task GivenCountAndFilters_WhenPaged_ThenNextLinksKeepTheFiltersAndEveryPageHasTheTotal(string at)
    {
        var later = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("o"));
        var pages = new List<Bundle>();
        var (_, page, _) = await EverythingAsync($"{at.Replace("{later}", later, StringComparison.Ordinal)}_type=Patient,MedicationStatement,Immunization,Observation&end=2023-12-31&_count=1");
        pages.Add(page!);
        while (page!.NextLink is { } next)
        {
            Assert.Contains("_type=Patient", Uri.UnescapeDataString(next.Query), StringComparison.Ordinal);
            Assert.Contains("end=2023-12-31", next.Query, StringComparison.Ordinal);
            using var response = await Server.Http.GetAsync(next);
            page = FhirJson.Deserialize<Bundle>(await response.Content.ReadAsStringAsync());
            pages.Add(page);
        }

        Assert.Equal(["Patient", "Medication", "Immunisation"], pages.Select(Names));
        Assert.All(pages, p => Assert.Equal(3, p.Total));
    }

    [Theory]
    [InlineData("_type=Condition,Medication,Banana", "'Medication', 'Banana'")]
    [InlineData("_type=condition", "'condition'")]
    [InlineData("start=2024-13-01", "'start': '2024-13-01' is not a real date")]
    [InlineData("end=soon", "'end': 'soon' is not a FHIR date")]
    [InlineData("start=2025&end=2024", "the care date range is empty")]
    [InlineData("end=2024&end=2025", "'end' is given more than once")]
    [InlineData("_at={cut}&_type=Banana", "'Banana'")]
    [InlineData("_count=0", "'_count' must be a whole number of 1 or more")]
    [InlineData("colour=red", "does not support 'colour'")]
    public async Task GivenABadParameter_WhenEverythingIsAsked_Then400OperationOutcomeSaysWhat(string query, string reason)
    {
        var (status, bundle, outcome) = await EverythingAsync(query.Replace("{cut}", _cut, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Null(bundle);
        Assert.Contains(reason, outcome!.Issue.Single().Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenLenientHandling_WhenEverythingOrHistoryIsAskedWithAnUnknownParameter_ThenItIsIgnoredAndLeftOutOfTheSelfLink()
    {
        var (status, bundle, _) = await EverythingAsync("_type=Patient&colour=red", "handling=lenient");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"Patient/{_record.Id}/_history?colour=red&_count=5");
        request.Headers.TryAddWithoutValidation("Prefer", "handling=lenient");
        using var response = await Server.Http.SendAsync(request);
        var history = FhirJson.Deserialize<Bundle>(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Patient", Names(bundle!));
        Assert.Equal("?_type=Patient", bundle!.SelfLink!.Query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("?_count=5", history.SelfLink!.Query);
    }

    [Theory]
    [InlineData("Patient/{id}")]
    [InlineData("Patient/{id}/_history/1")]
    [InlineData("Patient/{id}/_history?_count=1")]
    [InlineData("Observation?patient={id}&_sort=-date&_total=accurate")]
    [InlineData("Observation?patient={id}&_summary=count")]
    [InlineData("Observation?patient={id}&_elements=value")]
    [InlineData("Observation?patient={id}&_sort=code")]
    [InlineData("Patient/{id}/$everything?_type=Observation&start=2024&_count=1")]
    [InlineData("Patient/{id}/$everything?_at={cut}&_type=Banana")]
    [InlineData("metadata")]
    [InlineData("Observation/not-known")]
    public async Task GivenEveryReadKind_WhenAskedWithHead_ThenStatusAndHeadersAreGetsAndThereIsNoBody(string path)
    {
        path = path.Replace("{id}", _record.Id, StringComparison.Ordinal).Replace("{cut}", _cut, StringComparison.Ordinal);
        using var get = await Server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path));
        using var head = await Server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(get.StatusCode, head.StatusCode);
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
        Assert.Equal(get.Content.Headers.LastModified, head.Content.Headers.LastModified);
        Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
        Assert.Equal(get.Content.Headers.ContentLength is > 0, head.Content.Headers.ContentLength is > 0);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    private async Task<(HttpStatusCode Status, Bundle? Bundle, OperationOutcome? Outcome)> EverythingAsync(string query, string? prefer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"Patient/{_record.Id}/$everything?{query}");
        if (prefer is not null)
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
        using var response = await Server.Http.SendAsync(request);
        var body = FhirJson.Deserialize(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body as Bundle, body as OperationOutcome);
    }

    private string Names(Bundle bundle) => string.Join(",", bundle.Entry.Select(e => _names.GetValueOrDefault(e.Resource.Id, e.Resource.TypeName)));
}

public sealed class SqliteEverythingParameterTests() : EverythingParameterTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresEverythingParameterTests() : EverythingParameterTests(StorageBackend.Postgres);
