using Chronicle.Commands;
using Chronicle.Record.Application;
using Chronicle.Record.Domain;
using Chronicle.Testing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>Kinds of entry end to end (family history; a procedure, declared beside its event): the command, its event, the projection, and the FHIR read and search.</summary>
public abstract class EntryKindFhirTests(StorageBackend storage) : IAsyncLifetime
{
    private static readonly Domain.Coding BreastCancer = new(CodeSystems.Snomed, "254837009", "Malignant neoplasm of breast");
    private static readonly Domain.Coding Appendicectomy = new(CodeSystems.Snomed, "80146002", "Appendicectomy");
    private FhirApiServer _server = null!;
    private FhirClient _client = null!;
    private PatientRecordCommands _commands = null!;

    public async Task InitializeAsync()
    {
        _server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(storage, FhirApiServer.Storage));
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

    private static DeclaredEntry Procedure(DateOnly? performed, string? note = null) =>
        new(Guid.NewGuid(), new RecordEventsV1.ProcedureRecorded(Guid.Empty, Guid.Empty, Appendicectomy, performed, note));

    [Fact]
    public async Task GivenProceduresRecordedByCommand_WhenReadAndSearchedByPatientCodeAndDate_ThenValidProceduresAsRecorded()
    {
        var (patient, recorded) = await RecordAsync(Procedure(new DateOnly(2024, 5, 1), "Laparoscopic."), Procedure(null));
        var ids = recorded.EntryIds.Select(e => e.ToString("D")).ToList();

        var read = FhirAssert.Valid(await _client.ReadAsync<Procedure>($"Procedure/{ids[0]}"));
        var byPatient = FhirAssert.Matches<Procedure>(FhirAssert.Valid(await _client.SearchAsync<Procedure>([$"patient={patient}"])));
        var byCode = FhirAssert.Matches<Procedure>(FhirAssert.Valid(await _client.SearchAsync<Procedure>([$"patient={patient}", "code=http://snomed.info/sct|80146002"])));
        var byDate = FhirAssert.Matches<Procedure>(FhirAssert.Valid(await _client.SearchAsync<Procedure>([$"patient={patient}", "date=2024-05"])));
        var otherCode = FhirAssert.Matches<Procedure>(FhirAssert.Valid(await _client.SearchAsync<Procedure>([$"patient={patient}", "code=38341003"])));

        Assert.Equal(EventStatus.Completed, read.Status);
        Assert.Equal(($"Patient/{patient}", $"Encounter/{recorded.EncounterId}"), (read.Subject.Reference, read.Encounter.Reference));
        Assert.Equal(("http://snomed.info/sct", "80146002", "Appendicectomy"), (read.Code.Coding[0].System, read.Code.Coding[0].Code, read.Code.Coding[0].Display));
        Assert.Equal("2024-05-01", Assert.IsType<FhirDateTime>(read.Performed).Value);
        Assert.Equal("Laparoscopic.", Assert.Single(read.Note).Text);
        Assert.Equal(ids, byPatient.Select(p => p.Id));
        Assert.Equal(ids, byCode.Select(p => p.Id));
        Assert.Equal([ids[0]], byDate.Select(p => p.Id));
        Assert.Empty(otherCode);
        Assert.Null(byPatient[1].Performed);
    }

    [Fact]
    public async Task GivenAProcedure_WhenMarkedEnteredInError_ThenItsNewVersionSaysSoAndTheFirstIsKept()
    {
        var (patient, recorded) = await RecordAsync(Procedure(new DateOnly(2024, 5, 1)));
        var id = recorded.EntryIds[0].ToString("D");

        await SendAsync(new MarkEnteredInError(patient, recorded.EntryIds[0], "recorded against the wrong patient"), recorded.Version);

        var current = FhirAssert.Valid(await _client.ReadAsync<Procedure>($"Procedure/{id}"));
        var first = FhirAssert.Valid(await _client.ReadAsync<Procedure>($"Procedure/{id}/_history/1"));
        Assert.Equal((EventStatus.EnteredInError, "2"), (current.Status, current.Meta.VersionId));
        Assert.Equal(EventStatus.Completed, first.Status);
    }
}

public sealed class SqliteEntryKindFhirTests() : EntryKindFhirTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresEntryKindFhirTests() : EntryKindFhirTests(StorageBackend.Postgres);
