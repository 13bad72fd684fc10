using System.Net;
using Chronicle.Fhir.Search;
using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Projection;
using static Chronicle.Record.Domain.RecordEventsV1;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// <c>Patient/$everything</c> pages the current record in the read model; every page, for every page size and
/// <c>_since</c>, holds exactly the rows (same versions, same JSON, same order) that folding the whole current record
/// before paging chose (<see cref="ReferencePatientEverything"/>), and so the same next link.
/// </summary>
public abstract class EverythingPagingTests(StorageBackend storage) : IAsyncLifetime
{
    private static readonly DateTimeOffset Consulted = SampleRecord.Consulted;
    private readonly List<SampleRecord> _patients = [];
    private FhirApiServer? _server;

    private FhirApiServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(storage, FhirApiServer.Storage));
        for (var i = 0; i < 3; i++)
        {
            var patient = new SampleRecord(nhsNumber: $"99900034{i:D2}", family: "Okafor");
            _patients.Add(patient);
            await Server.AppendAsync(patient.PatientId, [patient.Registered, .. patient.Consultation(Consulted)]);
        }

        // Later versions of some resources, appended at later times, interleaved between patients.
        foreach (var patient in _patients)
        {
            await Task.Delay(2);
            await Server.AppendAsync(patient.PatientId, SampleRecord.WeightOn(patient.Encounter, Consulted.AddDays(1), 80),
                new ProblemResolved(patient.Problem, new DateOnly(2024, 6, 1)));
        }

        foreach (var patient in _patients.Take(2))
        {
            await Task.Delay(2);
            await Server.AppendAsync(patient.PatientId,
                new DemographicsUpdated(patient.PatientId, patient.Demographics with { Name = new PersonName("Okafor-Reid", ["Olivia"]) }),
                new EntryMarkedEnteredInError(patient.Note, "wrong patient"));
        }
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    [Fact]
    public async Task GivenRecords_WhenEveryPageIsReadForEveryCountAndSince_ThenTheRowsAreThoseTheWholeRecordFoldGave()
    {
        foreach (var patient in _patients)
        {
            var record = await ReferencePatientEverything.WholeRecordAsync(Server.ReadModels, patient.Id);
            Assert.True(record.Count > 15);
            var sinceValues = ReferencePatientEverything.SinceValues(record).Cast<DateTimeOffset?>().Prepend(null).ToList();
            foreach (var since in sinceValues)
            {
                foreach (var count in new[] { 1, 2, 3, 7, 50 })
                {
                    ResourceSortKey? after = null;
                    var pages = 0;
                    while (true)
                    {
                        var expected = await ReferencePatientEverything.PageAsync(Server.ReadModels, patient.Id, after, since, count);
                        var actual = await Server.ReadModel.Queries.PatientRecordPageAsync(patient.Id, after,
                            since is null ? null : FhirDateRange.ToMicros(since.Value), count + 1, CancellationToken.None);

                        Assert.Equal(expected, actual);
                        if (actual.Count <= count)
                            break;
                        after = actual[count - 1].Key;
                        Assert.True(++pages < 100);
                    }
                }
            }
        }
    }

    [Fact]
    public async Task GivenRecord_WhenPagedOverHttp_ThenEveryCurrentResourceOnceInTheWholeRecordsOrder()
    {
        var patient = _patients[1];
        var expected = (await ReferencePatientEverything.WholeRecordAsync(Server.ReadModels, patient.Id)).Select(r => $"{r.Type}/{r.Id}").ToList();
        using var client = Server.CreateClient();

        var page = FhirAssert.Valid(await client.OperationAsync(new Uri($"{Server.FhirBase}/Patient/{patient.Id}/$everything?_count=4"), useGet: true)
            as Hl7.Fhir.Model.Bundle);
        var seen = page.Entry.Select(e => $"{e.Resource.TypeName}/{e.Resource.Id}").ToList();
        while (page.NextLink is not null)
        {
            Assert.Equal(4, page.Entry.Count);
            page = FhirAssert.Valid(await client.ContinueAsync(page));
            seen.AddRange(page!.Entry.Select(e => $"{e.Resource.TypeName}/{e.Resource.Id}"));
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task GivenUnknownPatientOrAnotherResourcesId_WhenEverythingIsAsked_ThenNotFound()
    {
        using var http = Server.CreateHttpClient();

        using var unknown = await http.GetAsync(new Uri($"{Server.FhirBase}/Patient/{Guid.NewGuid():D}/$everything"));
        using var notAPatient = await http.GetAsync(new Uri($"{Server.FhirBase}/Patient/{_patients[0].Problem:D}/$everything"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notAPatient.StatusCode);
    }
}

public sealed class SqliteEverythingPagingTests() : EverythingPagingTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresEverythingPagingTests() : EverythingPagingTests(StorageBackend.Postgres);
