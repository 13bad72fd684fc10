using Chronicle.Contracts.Record.V1;
using Chronicle.Testing;
using Grpc.Core;
using static Chronicle.Record.Tests.Grpc.RecordRequests;

namespace Chronicle.Record.Tests.Grpc;

/// <summary>A family history entry through the gRPC command and back in the record.</summary>
public abstract class FamilyHistoryGrpcTests(StorageBackend storage) : IAsyncLifetime
{
    private RecordServer _server = null!;

    private PatientRecord.PatientRecordClient Client => _server.Client;

    public async Task InitializeAsync() => _server = await RecordServer.StartAsync(storage);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static ConsultationEntry FamilyHistory(string relationship = "MTH", int? onsetAge = 52, string note = "")
    {
        var family = new FamilyHistory { Relationship = relationship, Condition = SnomedCoding("254837009", "Malignant neoplasm of breast"), Note = note };
        if (onsetAge is { } age)
            family.OnsetAge = age;
        return new ConsultationEntry { FamilyHistory = family };
    }

    [Fact]
    public async Task GivenFamilyHistory_WhenRecorded_ThenGetRecordShowsItAsGiven()
    {
        var patient = await Client.RegisterPatientAsync(Registration());

        var recorded = await Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version,
            FamilyHistory(note: "Treated, in remission."), FamilyHistory("FTH", onsetAge: null)));
        var record = await Client.GetRecordAsync(new GetRecordRequest { PatientId = patient.PatientId });

        Assert.Equal(recorded.EntryIds, record.Entries.Select(e => e.EntryId));
        var mother = record.Entries[0].FamilyHistory;
        Assert.Equal(("MTH", "254837009", true, 52, "Treated, in remission."), (mother.Relationship, mother.Condition.Code, mother.HasOnsetAge, mother.OnsetAge, mother.Note));
        var father = record.Entries[1].FamilyHistory;
        Assert.Equal(("FTH", false, ""), (father.Relationship, father.HasOnsetAge, father.Note));
    }

    [Fact]
    public async Task GivenFamilyHistoryWithAnUnknownRelationship_WhenRecorded_ThenInvalidArgumentAndNothingAppended()
    {
        var patient = await Client.RegisterPatientAsync(Registration());

        var refusal = await Assert.ThrowsAsync<RpcException>(() =>
            Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version, FamilyHistory("mum"))).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.Contains("entries[0].family_history.relationship", refusal.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(2, (await _server.GlobalLogAsync()).Count);
    }
}

public sealed class SqliteFamilyHistoryGrpcTests() : FamilyHistoryGrpcTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresFamilyHistoryGrpcTests() : FamilyHistoryGrpcTests(StorageBackend.Postgres);
