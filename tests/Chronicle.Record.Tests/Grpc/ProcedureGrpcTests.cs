using System.Text.Json;
using Chronicle.Contracts.Record.V1;
using Chronicle.Testing;
using Grpc.Core;
using static Chronicle.Record.Tests.Grpc.RecordRequests;

namespace Chronicle.Record.Tests.Grpc;

/// <summary>A kind of entry with no message of its own in chronicle.record.v1: recorded and read back as a RecordedEntry.</summary>
public abstract class ProcedureGrpcTests(StorageBackend storage) : IAsyncLifetime
{
    private const string Appendicectomy = """{"code":{"system":"http://snomed.info/sct","code":"80146002","display":"Appendicectomy"},"performed":"2024-05-01","note":"Laparoscopic."}""";
    private RecordServer _server = null!;

    private PatientRecord.PatientRecordClient Client => _server.Client;

    public async Task InitializeAsync() => _server = await RecordServer.StartAsync(storage);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static ConsultationEntry Recorded(string kind, string json) => new() { Recorded = new RecordedEntry { Kind = kind, Json = json } };

    [Fact]
    public async Task GivenAProcedureAsARecordedEntry_WhenRecorded_ThenGetRecordShowsItWithTheConsultationsIds()
    {
        var patient = await Client.RegisterPatientAsync(Registration());

        var recorded = await Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version, Recorded("procedure", Appendicectomy)));
        var entry = Assert.Single((await Client.GetRecordAsync(new GetRecordRequest { PatientId = patient.PatientId })).Entries);

        Assert.Equal((recorded.EntryIds.Single(), recorded.EncounterId, "procedure"), (entry.EntryId, entry.EncounterId, entry.Recorded.Kind));
        var json = JsonDocument.Parse(entry.Recorded.Json).RootElement;
        Assert.Equal(recorded.EntryIds.Single(), json.GetProperty("entryId").GetString());
        Assert.Equal(recorded.EncounterId, json.GetProperty("encounterId").GetString());
        Assert.Equal("80146002", json.GetProperty("code").GetProperty("code").GetString());
        Assert.Equal(("2024-05-01", "Laparoscopic."), (json.GetProperty("performed").GetString(), json.GetProperty("note").GetString()));
    }

    [Theory]
    [InlineData("spaceship", "{}", "entries[0].recorded", "'spaceship' is not a kind of record entry; one of procedure")]
    [InlineData("V1.PatientRegistered", "{}", "entries[0].recorded", "is not a kind of record entry")]
    [InlineData("procedure", "{\"performed\":\"last May\"}", "entries[0].recorded", "not a procedure entry")]
    [InlineData("procedure", "{\"code\":{\"system\":\"https://dmd.nhs.uk\",\"code\":\"39720311000001101\"}}", "entries[0].procedure.code.system", "must be http://snomed.info/sct")]
    [InlineData("procedure", "{\"code\":{\"system\":\"http://snomed.info/sct\",\"code\":\"80146002\"},\"performed\":\"2999-01-01\"}", "entries[0].procedure.performed", "in the future")]
    public async Task GivenARecordedEntryThatIsNoKindOrBreaksItsRules_WhenRecorded_ThenInvalidArgumentNamingTheFieldAndNothingAppended(
        string kind, string json, string field, string message)
    {
        var patient = await Client.RegisterPatientAsync(Registration());

        var refusal = await Assert.ThrowsAsync<RpcException>(() =>
            Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version, Recorded(kind, json))).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.Contains(field, refusal.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(message, refusal.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(2, (await _server.GlobalLogAsync()).Count);
    }
}

public sealed class SqliteProcedureGrpcTests() : ProcedureGrpcTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresProcedureGrpcTests() : ProcedureGrpcTests(StorageBackend.Postgres);
