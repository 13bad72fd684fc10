using Chronicle.Commands;
using Chronicle.Record.Application;
using Chronicle.Record.Domain;
using Chronicle.Testing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>A family history entry end to end: the command, its event, the projection, and the FHIR read and search.</summary>
public abstract class FamilyHistoryFhirTests(StorageBackend storage) : IAsyncLifetime
{
    private static readonly Domain.Coding BreastCancer = new(CodeSystems.Snomed, "254837009", "Malignant neoplasm of breast");
    private FhirApiServer _server = null!;
    private FhirClient _client = null!;
    private PatientRecordCommands _commands = null!;

    public async Task InitializeAsync()
    {
        _server = await FhirApiServer.StartAsync(await TestStorage.CreateAsync(storage, FhirApiServer.Storage));
        _client = _server.CreateClient();
        _commands = new PatientRecordCommands(_server.Store, TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<RecordChanged> SendAsync(PatientRecordCommand command, long? expectedVersion)
    {
        var changed = await _commands.HandleAsync(command, new CommandContext(Guid.CreateVersion7(), expectedVersion, FhirApiServer.Metadata));
        await _server.ReadModel.WaitForAsync(changed.LogPosition).WaitAsync(TimeSpan.FromSeconds(30));
        return changed;
    }

    private async Task<(PatientId Patient, RecordChanged Recorded)> RecordAsync(params ConsultationEntry[] entries)
    {
        // One patient per test, and each test has a store of its own: one NHS number does.
        var patient = new PatientId(Guid.NewGuid());
        var demographics = new Demographics(new PersonName("Smith", ["Olivia"]), new DateOnly(1980, 4, 12), "female", null, []);
        var registered = await SendAsync(new RegisterPatient(patient, "9434765919", demographics, "A81001"), null);
        var recorded = await SendAsync(new RecordConsultation(patient, Guid.NewGuid(), DateTimeOffset.UtcNow.AddHours(-1), null,
            new Clinician("G8123456", "Dr Asha Patel", "GP"), "A81001", "face-to-face", null, entries), registered.Version);
        return (patient, recorded);
    }

    [Fact]
    public async Task GivenFamilyHistoryRecordedByCommand_WhenReadAndSearchedByPatient_ThenAValidFamilyMemberHistoryAsRecorded()
    {
        var (patient, recorded) = await RecordAsync(
            new FamilyHistoryEntry(Guid.NewGuid(), "MTH", BreastCancer, 52, "Treated, in remission."),
            new FamilyHistoryEntry(Guid.NewGuid(), "FTH", BreastCancer, null, null));
        var id = recorded.EntryIds[0].ToString("D");

        var read = FhirAssert.Valid(await _client.ReadAsync<FamilyMemberHistory>($"FamilyMemberHistory/{id}"));
        var found = FhirAssert.Matches<FamilyMemberHistory>(FhirAssert.Valid(await _client.SearchAsync<FamilyMemberHistory>([$"patient={patient}"])));

        Assert.Equal(FamilyMemberHistory.FamilyHistoryStatus.Completed, read.Status);
        Assert.Equal($"Patient/{patient}", read.Patient.Reference);
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "MTH"), (read.Relationship.Coding[0].System, read.Relationship.Coding[0].Code));
        var condition = Assert.Single(read.Condition);
        Assert.Equal(("http://snomed.info/sct", "254837009"), (condition.Code.Coding[0].System, condition.Code.Coding[0].Code));
        var onset = Assert.IsType<Age>(condition.Onset);
        Assert.Equal((52m, "http://unitsofmeasure.org", "a"), (onset.Value, onset.System, onset.Code));
        Assert.Equal("Treated, in remission.", Assert.Single(read.Note).Text);
        Assert.Equal(recorded.EntryIds.Select(e => e.ToString("D")), found.Select(f => f.Id));
        Assert.Null(Assert.Single(found[1].Condition).Onset);
        Assert.Empty(found[1].Note);
    }

    [Fact]
    public async Task GivenFamilyHistory_WhenMarkedEnteredInError_ThenItsNewVersionSaysSoAndTheFirstIsKept()
    {
        var (patient, recorded) = await RecordAsync(new FamilyHistoryEntry(Guid.NewGuid(), "SIS", BreastCancer, 40, null));
        var id = recorded.EntryIds[0].ToString("D");

        await SendAsync(new MarkEnteredInError(patient, recorded.EntryIds[0], "recorded against the wrong patient"), recorded.Version);

        var current = FhirAssert.Valid(await _client.ReadAsync<FamilyMemberHistory>($"FamilyMemberHistory/{id}"));
        var first = FhirAssert.Valid(await _client.ReadAsync<FamilyMemberHistory>($"FamilyMemberHistory/{id}/_history/1"));
        Assert.Equal((FamilyMemberHistory.FamilyHistoryStatus.EnteredInError, "2"), (current.Status, current.Meta.VersionId));
        Assert.Equal(FamilyMemberHistory.FamilyHistoryStatus.Completed, first.Status);
    }
}

public sealed class SqliteFamilyHistoryFhirTests() : FamilyHistoryFhirTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresFamilyHistoryFhirTests() : FamilyHistoryFhirTests(StorageBackend.Postgres);
