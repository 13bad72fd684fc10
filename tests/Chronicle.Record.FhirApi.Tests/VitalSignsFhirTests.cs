using System.Text;
using Chronicle.EventStore;
using Chronicle.Fhir.Tests;
using Chronicle.Record.Application;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// Vital signs recorded before the projection knew the R4 vital signs profiles: their events, exactly as the store holds
/// them, are never rewritten, and a rebuild serves them profiled (category vital-signs, LOINC, meta.profile) and valid.
/// </summary>
public abstract class VitalSignsFhirTests(StorageBackend storage) : IAsyncLifetime
{
    private FhirApiServer? _server;
    private FhirClient? _client;

    private FhirApiServer Server => _server!;
    private FhirClient Client => _client!;

    public async Task InitializeAsync()
    {
        _server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(storage, FhirApiServer.Storage));
        _client = _server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
            await _server.DisposeAsync();
    }

    [Fact]
    public async Task GivenVitalSignEventsAsStoredToday_WhenTheProjectionIsRebuilt_ThenTheyAreServedProfiledAndTheEventsAreUnchanged()
    {
        var record = new SampleRecord();
        await Server.AppendAsync(record.PatientId, record.Registered, record.Consultation(SampleRecord.Consulted)[0]);
        var weight = Guid.NewGuid();
        var pressure = Guid.NewGuid();
        // V1.ObservationRecorded's JSON as the command side has always written it.
        var stored = new[]
        {
            $$$"""{"entryId":"{{{weight:D}}}","encounterId":"{{{record.Encounter:D}}}","code":{"system":"http://snomed.info/sct","code":"27113001","display":"Body weight"},"effective":"2024-03-01T09:00:00+00:00","value":{"value":81.4,"unit":"kg"},"components":[]}""",
            $$$"""{"entryId":"{{{pressure:D}}}","encounterId":"{{{record.Encounter:D}}}","code":{"system":"http://snomed.info/sct","code":"75367002","display":"Blood pressure"},"effective":"2024-03-01T09:00:00+00:00","components":[{"code":{"system":"http://snomed.info/sct","code":"271649006"},"value":{"value":142,"unit":"mm[Hg]"}},{"code":{"system":"http://snomed.info/sct","code":"271650006"},"value":{"value":91,"unit":"mm[Hg]"}}]}""",
        };
        var appended = await Server.Store.AppendAsync(RecordEvent.StreamOf(record.PatientId), ExpectedVersion.Any,
            stored.Select(json => new EventData(Guid.NewGuid(), "V1.ObservationRecorded", Encoding.UTF8.GetBytes(json), FhirApiServer.Metadata)).ToList());
        await Server.ReadModel.WaitForAsync(appended.LastLogPosition).WaitAsync(TimeSpan.FromSeconds(30));

        await Server.ReadModel.RebuildAsync();

        var bodyWeight = await Client.ReadAsync<Observation>($"Observation/{weight:D}");
        Assert.Equal(["http://hl7.org/fhir/StructureDefinition/bodyweight"], bodyWeight.Meta.Profile);
        Assert.Equal([("http://snomed.info/sct", "27113001"), ("http://loinc.org", "29463-7")], bodyWeight.Code.Coding.Select(c => (c.System, c.Code)));
        Assert.Equal("vital-signs", bodyWeight.Category.Single().Coding.Single().Code);
        Assert.Equal((81.4m, "kg"), (((Quantity)bodyWeight.Value).Value, ((Quantity)bodyWeight.Value).Code));
        var bp = await Client.ReadAsync<Observation>($"Observation/{pressure:D}");
        Assert.Equal(["http://hl7.org/fhir/StructureDefinition/bp"], bp.Meta.Profile);
        Assert.Equal(["75367002", "85354-9"], bp.Code.Coding.Select(c => c.Code));
        Assert.Equal(["8480-6", "8462-4"], bp.Component.Select(c => c.Code.Coding.Single().Code));
        foreach (var observation in new[] { bodyWeight, bp })
            ProfileValidator.AssertValid(observation);

        var events = await Server.Store.ReadStreamAsync(RecordEvent.StreamOf(record.PatientId), new StreamReadOptions { FromVersion = 2 });
        Assert.Equal(stored, events.Select(e => Encoding.UTF8.GetString(e.Data)));
    }

    [Fact]
    public async Task GivenVitalSigns_WhenSearchedByTheirLoincCode_ThenFound()
    {
        var record = new SampleRecord();
        await Server.AppendAsync(record.PatientId, [record.Registered, .. record.Consultation(SampleRecord.Consulted)]);

        var bundle = await Client.SearchAsync<Observation>([$"patient={record.Id}", "code=http://loinc.org|85354-9"]);
        Assert.Equal([record.Observation.ToString("D")], FhirAssert.Matches<Observation>(bundle).Select(o => o.Id));
    }

    [Fact]
    public async Task GivenAVitalSignAndAResult_WhenSearchedByCategory_ThenOnlyTheVitalSignIsFoundAsTheProfilesQueryAsksForIt()
    {
        var record = new SampleRecord();
        var result = Guid.NewGuid();
        await Server.AppendAsync(record.PatientId, [record.Registered, .. record.Consultation(SampleRecord.Consulted),
            new Domain.RecordEventsV1.ObservationRecorded(result, record.Encounter, new Domain.Coding(Domain.CodeSystems.Snomed, "43396009", "Hemoglobin A1c measurement"),
                SampleRecord.Consulted, new Domain.Quantity(48, "mmol/mol"), [])]);

        var bare = await Client.SearchAsync<Observation>([$"patient={record.Id}", "category=vital-signs"]);
        var qualified = await Client.SearchAsync<Observation>([$"patient={record.Id}", "category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"]);
        var laboratory = await Client.SearchAsync<Observation>([$"patient={record.Id}", "category=laboratory"]);

        Assert.Equal([record.Observation.ToString("D")], FhirAssert.Matches<Observation>(bare).Select(o => o.Id));
        Assert.Equal([record.Observation.ToString("D")], FhirAssert.Matches<Observation>(qualified).Select(o => o.Id));
        Assert.Empty(FhirAssert.Matches<Observation>(laboratory));
    }
}

public sealed class SqliteVitalSignsFhirTests() : VitalSignsFhirTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresVitalSignsFhirTests() : VitalSignsFhirTests(StorageBackend.Postgres);
