using System.Globalization;
using System.Net;
using System.Text.Json;
using Chronicle.Fhir;
using Grpc.Core;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Validation;
using Proto = Chronicle.Contracts.Record.V1;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Audit.Tests.EndToEnd;

/// <summary>
/// The platform end to end, as processes on real sockets: a clinician uses the Record's FHIR API, the Record makes each
/// access durable in its outbox before answering, its relay publishes it, the Audit service chains it and serves it to
/// auditors as a FHIR AuditEvent. Subclasses choose the storage.
/// </summary>
public abstract class AuditEndToEndTests(TestStorages storage)
{
    private static readonly Dictionary<string, string> Clinician = new()
    {
        ["x-user-id"] = "G8123456", ["x-user-role"] = "GP", ["x-organisation-ods"] = "A81001", ["x-client-id"] = "gp-desktop",
        ["x-on-behalf-of"] = "N1122334", ["x-correlation-id"] = "corr-e2e-1",
    };

    private static readonly Metadata Receptionist = new() { { "x-user-id", "R5550001" }, { "x-user-role", "Receptionist" }, { "x-organisation-ods", "A81001" } };

    [Fact]
    public async Task GivenAClinicianReadsARecordAndIsRefusedAnother_WhenAnAuditorSearches_ThenBothAuditEventsAppearWithEveryFieldCorrect()
    {
        await using var platform = await ChroniclePlatform.StartAsync(storage);
        var patientId = await RegisterAsync(platform, "943 476 5919");
        using var clinician = platform.RecordFhirClient(Clinician);
        var unknown = Guid.NewGuid().ToString();

        var before = DateTimeOffset.UtcNow;
        await clinician.ReadAsync<Patient>($"Patient/{patientId}");
        var refused = await Assert.ThrowsAsync<FhirOperationException>(() => clinician.ReadAsync<Patient>($"Patient/{unknown}"));
        var after = DateTimeOffset.UtcNow;
        await platform.WaitForEntriesAsync("agent=G8123456", 2);

        using var auditor = platform.AuditFhirClient();
        var read = Single(await auditor.SearchAsync<AuditEvent>(["agent=G8123456", $"patient={patientId}"]));
        var refusal = Single(await auditor.SearchAsync<AuditEvent>(["agent=G8123456", "outcome=4"]));

        Assert.Equal(HttpStatusCode.NotFound, refused.Status);
        Assert.Equal(("rest", "http://terminology.hl7.org/CodeSystem/audit-event-type"), (read.Type.Code, read.Type.System));
        Assert.Equal(["http://hl7.org/fhir/restful-interaction|read", "urn:chronicle:audit-action|Read"], read.Subtype.Select(c => $"{c.System}|{c.Code}"));
        Assert.Equal(AuditEvent.AuditEventAction.R, read.Action);
        Assert.Equal((AuditEvent.AuditEventOutcome.N0, "HTTP 200"), (read.Outcome, read.OutcomeDesc));
        Assert.InRange(read.Recorded!.Value, before, after);
        var user = read.Agent[0];
        Assert.Equal(("urn:chronicle:user-id", "G8123456", "GP", true), (user.Who.Identifier.System, user.Who.Identifier.Value, user.Role.Single().Text, user.Requestor));
        Assert.Contains(read.Agent, a => a.Who.Type == "Organization" && a.Who.Identifier.Value == "A81001" && a.Requestor == false);
        Assert.Contains(read.Agent, a => a.Who.Identifier?.Value == "N1122334" && a.Type.Coding[0].Code == "RESP");
        Assert.Contains(read.Agent, a => a.Who.Identifier?.System == "urn:chronicle:client-id" && a.Who.Identifier.Value == "gp-desktop");
        Assert.Equal(("record", "record"), (read.Source.Site, read.Source.Observer.Identifier.Value));
        Assert.Equal($"Patient/{patientId}", Assert.Single(read.Entity).What.Reference);
        Assert.Equal("corr-e2e-1", ((FhirString)read.GetExtension("https://fhir.chronicle.health/StructureDefinition/correlation-id").Value).Value);
        Assert.Empty(read.Validate());

        Assert.Equal((AuditEvent.AuditEventOutcome.N4, "HTTP 404", AuditEvent.AuditEventAction.R), (refusal.Outcome, refusal.OutcomeDesc, refusal.Action));
        Assert.Equal($"Patient/{unknown}", refusal.Entity.Single().What.Reference);
        Assert.Equal("G8123456", refusal.Agent[0].Who.Identifier.Value);
        Assert.Empty(refusal.Validate());
    }

    [Fact]
    public async Task GivenTheAuditServiceDownWhileTrafficRuns_WhenItComesBack_ThenEveryEntryIsChainedExactlyOnce()
    {
        // Duplicated and failed deliveries on top of the outage: exactly once must come from the chain, not the transport.
        await using var platform = await ChroniclePlatform.StartAsync(storage,
            "--Chronicle:Direct:Faults:DuplicateRate=0.3", "--Chronicle:Direct:Faults:TransientFailureRate=0.2", "--Chronicle:Direct:Faults:Seed=11");
        var patientId = await RegisterAsync(platform, "943 476 5919");
        using var clinician = platform.RecordFhirClient(Clinician);
        for (var i = 0; i < 10; i++)
            await clinician.ReadAsync<Patient>($"Patient/{patientId}");
        await platform.WaitForEntriesAsync("site=record", 11);

        await platform.KillAuditAsync();
        for (var i = 0; i < 30; i++)
            await clinician.ReadAsync<Patient>($"Patient/{patientId}");
        await clinician.SearchAsync<Observation>([$"patient={patientId}"]);
        await platform.StartAuditAsync();
        await platform.WaitForEntriesAsync("site=record", 42);
        await Task.Delay(TimeSpan.FromSeconds(2)); // long enough for a late duplicate to land, were one to be chained
        var entries = await platform.WaitForEntriesAsync("site=record", 42);
        var verification = await platform.VerifyAsync();

        Assert.Equal(42, entries.Count);
        Assert.Equal(42, entries.Select(e => e.GetProperty("entry").GetProperty("entryId").GetString()).Distinct().Count());
        Assert.Equal(41, entries.Count(e => e.GetProperty("entry").GetProperty("userId").GetString() == "G8123456"));
        Assert.True(verification.GetProperty("intact").GetBoolean(), verification.GetProperty("summary").GetString());
        Assert.True(verification.GetProperty("checkpointsChecked").GetInt32() >= 1, verification.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task GivenARecordCapturedAtATime_WhenAnAuditorReplaysIt_ThenTheReplayMatchesWhatEverythingReturnedThen()
    {
        await using var platform = await ChroniclePlatform.StartAsync(storage);
        using var channel = platform.RecordChannel();
        var commands = new Proto.PatientRecord.PatientRecordClient(channel);
        var caller = new Metadata();
        foreach (var (name, value) in Clinician)
            caller.Add(name, value);
        var patientId = await RegisterAsync(platform, "943 476 5919");
        var consulted = await commands.RecordConsultationAsync(Consultation(patientId, 0, "27113001", "Body weight"), caller);
        using var clinician = platform.RecordHttpClient(Clinician);
        var captured = FhirJson.Deserialize<Bundle>(await clinician.GetStringAsync($"Patient/{patientId}/$everything?_count=100"));
        var capturedAt = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        var renamed = await commands.UpdateDemographicsAsync(new Proto.UpdateDemographicsRequest
        {
            CommandId = Guid.NewGuid().ToString(), PatientId = patientId, ExpectedVersion = consulted.Version,
            Demographics = Demographics("Okafor-Reid"),
        }, caller);
        await commands.RecordConsultationAsync(Consultation(patientId, renamed.Version, "271649006", "Systolic blood pressure"), caller);

        using var auditor = platform.AuditHttpClient();
        using var asAt = await auditor.GetAsync($"audit/replay/{patientId}/as-at?at={Uri.EscapeDataString(capturedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))}");
        var replayed = FhirJson.Deserialize<Bundle>(await asAt.Content.ReadAsStringAsync());
        var now = FhirJson.Deserialize<Bundle>(await clinician.GetStringAsync($"Patient/{patientId}/$everything?_count=100"));
        using var changes = JsonDocument.Parse(await auditor.GetStringAsync(
            $"audit/replay/{patientId}/changes?from={Uri.EscapeDataString(capturedAt.ToString("O", CultureInfo.InvariantCulture))}"));
        using var history = JsonDocument.Parse(await auditor.GetStringAsync($"audit/replay/{patientId}/history"));

        Assert.Equal(HttpStatusCode.OK, asAt.StatusCode);
        Assert.Equal(Resources(captured), Resources(replayed));
        Assert.NotEqual(Resources(captured), Resources(now));
        var changed = changes.RootElement.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(["V1.DemographicsUpdated", "V1.ConsultationRecorded", "V1.ObservationRecorded"], changed.Select(c => c.GetProperty("eventType").GetString()));
        Assert.All(changed, c => Assert.Equal("G8123456", c.GetProperty("provenance").GetProperty("userId").GetString()));
        Assert.Equal(6, history.RootElement.GetProperty("events").GetArrayLength());
        Assert.Equal("R5550001", history.RootElement.GetProperty("events")[0].GetProperty("provenance").GetProperty("userId").GetString());
        // The Record audited the replay as the auditor's access to the patient's record.
        var recordSide = await platform.WaitForEntriesAsync($"site=record&agent={ChroniclePlatform.Auditor}&patient={patientId}", 3);
        Assert.Equal(3, recordSide.Count);
    }

    [Fact]
    public async Task GivenCallersWhoAreNotAuditors_WhenTheyAskTheAuditService_ThenTheyAreRefusedAndEachRefusalIsAudited()
    {
        await using var platform = await ChroniclePlatform.StartAsync(storage);
        var patientId = await RegisterAsync(platform, "943 476 5919");
        using var gp = platform.AuditHttpClient("G8123456", "GP");
        using var anonymous = platform.AuditHttpClient(null, null);
        using var gpFhir = platform.AuditFhirClient("G8123456", "GP");

        using var replay = await gp.GetAsync($"audit/replay/{patientId}/history");
        using var verify = await anonymous.GetAsync("audit/verify");
        var search = await Assert.ThrowsAsync<FhirOperationException>(() => gpFhir.SearchAsync<AuditEvent>([$"patient={patientId}"]));
        using var metadata = await anonymous.GetAsync("fhir/metadata");
        var refusals = await platform.WaitForEntriesAsync("site=audit&outcome=4", 3);

        Assert.Equal(HttpStatusCode.Forbidden, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, verify.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, search.Status);
        Assert.Equal(OperationOutcome.IssueType.Forbidden, search.Outcome.Issue.Single().Code);
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        Assert.Equal(["Replay:403:G8123456", "Verify:401:", "Search:403:G8123456"],
            refusals.Select(r => r.GetProperty("entry")).Select(e => $"{e.GetProperty("action").GetString()}:{e.GetProperty("outcome").GetInt32()}:{e.GetProperty("userId").GetString()}"));
    }

    private static async Task<string> RegisterAsync(ChroniclePlatform platform, string nhsNumber)
    {
        using var channel = platform.RecordChannel();
        var reply = await new Proto.PatientRecord.PatientRecordClient(channel).RegisterPatientAsync(new Proto.RegisterPatientRequest
        {
            CommandId = Guid.NewGuid().ToString(),
            NhsNumber = nhsNumber,
            GeneralPracticeOds = "A81001",
            Demographics = Demographics("Okafor"),
        }, Receptionist);
        return reply.PatientId;
    }

    private static Proto.Demographics Demographics(string family) => new()
    {
        Name = new Proto.HumanName { Family = family, Given = { "Jane" } },
        BirthDate = "1980-04-12",
        Gender = "female",
    };

    private static Proto.RecordConsultationRequest Consultation(string patientId, long expectedVersion, string code, string display) => new()
    {
        CommandId = Guid.NewGuid().ToString(),
        PatientId = patientId,
        ExpectedVersion = expectedVersion,
        Start = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-20)),
        Practitioner = new Proto.Practitioner { Id = "G8123456", Name = "Dr Asha Patel", Role = "GP" },
        ServiceProviderOds = "A81001",
        Mode = "face-to-face",
        Entries =
        {
            new Proto.ConsultationEntry
            {
                Observation = new Proto.Observation
                {
                    Code = new Proto.Coding { System = "http://snomed.info/sct", Code = code, Display = display },
                    Value = new Proto.Quantity { Value = "72.5", Unit = code == "27113001" ? "kg" : "mm[Hg]" },
                },
            },
        },
    };

    private static AuditEvent Single(Bundle? bundle) => Assert.IsType<AuditEvent>(Assert.Single(bundle!.Entry).Resource);

    /// <summary>Each resource of a Bundle as its FHIR JSON, by type and id.</summary>
    private static SortedDictionary<string, string> Resources(Bundle bundle) =>
        new(bundle.Entry.ToDictionary(e => $"{e.Resource.TypeName}/{e.Resource.Id}", e => FhirJson.Serialize(e.Resource)), StringComparer.Ordinal);
}

public sealed class SqliteAuditEndToEndTests(SqliteStorages storage) : AuditEndToEndTests(storage), IClassFixture<SqliteStorages>;

[Collection(SharedPostgres.Collection)]
public sealed class PostgresAuditEndToEndTests(PostgresStorages storage) : AuditEndToEndTests(storage), IClassFixture<PostgresStorages>;
