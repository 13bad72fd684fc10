using System.Net;
using System.Text.RegularExpressions;
using Chronicle.Fhir;
using Chronicle.Testing;
using Grpc.Core;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Proto = Chronicle.Contracts.Record.V1;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Record.Host.Tests;

/// <summary>
/// The Record executable end to end, as a child process on real sockets: gRPC commands, FHIR reads, health, synthetic
/// data, restarts. Subclasses choose the storage (SQLite files, PostgreSQL).
/// </summary>
public abstract partial class RecordHostTests(TestStorages storages, string storageBanner)
{
    private const string NhsSystem = "https://fhir.nhs.uk/Id/nhs-number";

    [Fact]
    public async Task GivenRunningHost_WhenPatientRegisteredOverGrpc_ThenTheNextFhirReadShowsItWithoutAskingToWait()
    {
        await using var host = await RecordHostProcess.StartAsync(await storages.ForRecordHostAsync());
        using var channel = host.CreateGrpcChannel();
        var client = new Proto.PatientRecord.PatientRecordClient(channel);
        using var fhir = host.CreateFhirClient();

        var registered = await client.RegisterPatientAsync(Registration("943 476 5919", "Okafor"));
        var patient = await fhir.ReadAsync<Patient>($"Patient/{registered.PatientId}");
        var consulted = await client.RecordConsultationAsync(Consultation(registered.PatientId, registered.Version));
        var observations = await fhir.SearchAsync<Observation>([$"patient={registered.PatientId}"]);

        Assert.Equal("9434765919", patient.Identifier.Single(i => i.System == NhsSystem).Value);
        Assert.Equal("Okafor", patient.Name.Single().Family);
        var observation = Assert.IsType<Observation>(Assert.Single(observations.Entry).Resource);
        Assert.Equal(consulted.EntryIds.Single(), observation.Id);
    }

    [Fact]
    public async Task GivenRecordHost_WhenCommandsAndReadsGoThroughIt_ThenEachIsInTheAuditOutboxWithCallerOutcomeAndPatient()
    {
        var storage = await storages.ForRecordHostAsync();
        string patientId;
        await using (var host = await RecordHostProcess.StartAsync(storage))
        {
            using var channel = host.CreateGrpcChannel();
            var client = new Proto.PatientRecord.PatientRecordClient(channel);
            var caller = new Metadata
            {
                { "x-user-id", "G8123456" }, { "x-user-role", "GP" }, { "x-organisation-ods", "A81001" }, { "x-client-id", "gp-desktop" },
                { "x-correlation-id", "corr-audit-1" },
            };
            patientId = (await client.RegisterPatientAsync(Registration("943 476 5919", "Okafor"), caller)).PatientId;
            var refused = await Assert.ThrowsAsync<RpcException>(() => client.RegisterPatientAsync(Registration("943 476 5918", "Bad"), caller).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);

            using var http = new HttpClient();
            http.DefaultRequestHeaders.Add("x-user-id", "N1122334");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(host.FhirUrl($"Patient/{patientId}"))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(host.FhirUrl($"Patient/{Guid.NewGuid()}"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(host.FhirUrl("metadata"))).StatusCode);
            Assert.Equal(0, await host.StopAsync());
        }

        await using var opened = await storage.Storage.OpenAsync();
        var entries = (await opened.Events.ReadStreamAsync(Chronicle.Auditing.EventStoreAuditTrail.OutboxStream, Chronicle.EventStore.StreamReadOptions.Forwards))
            .Select(Chronicle.Auditing.EventStoreAuditTrail.Read).ToList();

        Assert.Equal(4, entries.Count);
        Assert.Equal(("grpc:RegisterPatient", Chronicle.Auditing.AuditAction.Create, 200, patientId), (entries[0].ResourceType, entries[0].Action, entries[0].Outcome, entries[0].PatientId));
        Assert.Equal(("G8123456", "GP", "A81001", "gp-desktop", "corr-audit-1"),
            (entries[0].UserId, entries[0].Role, entries[0].OrganisationOds, entries[0].ClientId, entries[0].CorrelationId));
        Assert.Equal(("grpc:RegisterPatient", 400), (entries[1].ResourceType, entries[1].Outcome));
        Assert.Equal(("Patient", Chronicle.Auditing.AuditAction.Read, 200, patientId, "N1122334"),
            (entries[2].ResourceType, entries[2].Action, entries[2].Outcome, entries[2].PatientId, entries[2].UserId));
        Assert.Equal((Chronicle.Auditing.AuditAction.Read, 404), (entries[3].Action, entries[3].Outcome));
        Assert.All(entries, e => Assert.Equal("record", e.Service));
    }

    [Fact]
    public async Task GivenStartedHost_WhenProbedAndSentAnInvalidPath_ThenItIsLiveAndBecomesReadyAndKestrelsOwnRefusalIsAnOperationOutcome()
    {
        await using var host = await RecordHostProcess.StartAsync(await storages.ForRecordHostAsync());
        using var http = new HttpClient();

        using var live = await http.GetAsync(host.Health("/healthz"));
        var ready = await host.WaitUntilReadyAsync();

        Assert.Contains($"Chronicle Record storage: {storageBanner}", host.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready);
        var refused = Assert.Single(RawHttp.Split(await RawHttp.GetAsync(host.Health("/"), "/fhir/Patient/%00")));
        Assert.Equal(400, refused.Status);
        Assert.Single(FhirJson.Deserialize<OperationOutcome>(refused.Body).Issue);
    }

    [Fact]
    public async Task GivenGeneratedPatients_WhenServed_ThenFhirSearchFindsThemAndTheirNhsNumbersAreTaken()
    {
        var storage = await storages.ForRecordHostAsync();
        var first = await RecordHostProcess.RunAsync(storage, "generate", "--patients", "6", "--seed", "7", "--today", "2025-01-01");
        var second = await RecordHostProcess.RunAsync(storage, "generate", "--patients", "6", "--seed", "7", "--today", "2025-01-01");

        Assert.True(first.ExitCode == 0, first.Output + first.Errors);
        Assert.Contains("6 written, 0 already present", first.Output, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.Output + second.Errors);
        Assert.Contains("0 written, 6 already present", second.Output, StringComparison.Ordinal);
        Assert.Contains("0 events appended", second.Output, StringComparison.Ordinal);
        Assert.Equal(StoredEvents(first), StoredEvents(second));

        await using var host = await RecordHostProcess.StartAsync(storage);
        Assert.Equal(HttpStatusCode.OK, await host.WaitUntilReadyAsync());
        using var fhir = host.CreateFhirClient();
        var patients = await fhir.SearchAsync<Patient>(["_count=50"]);
        var nhsNumbers = patients.Entry.Select(e => ((Patient)e.Resource).Identifier.Single(i => i.System == NhsSystem).Value).ToList();
        Assert.Equal(6, nhsNumbers.Distinct().Count());
        Assert.Equal(6, patients.Entry.Count);

        using var channel = host.CreateGrpcChannel();
        var refusal = await Assert.ThrowsAsync<RpcException>(() =>
            new Proto.PatientRecord.PatientRecordClient(channel).RegisterPatientAsync(Registration(nhsNumbers[0], "Smith")).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, refusal.StatusCode);
    }

    [Fact]
    public async Task GivenRecordWrittenThroughHost_WhenHostRestartsOnTheSameStorage_ThenTheRecordIsStillThere()
    {
        var storage = await storages.ForRecordHostAsync();
        string patientId;
        await using (var host = await RecordHostProcess.StartAsync(storage))
        {
            using var channel = host.CreateGrpcChannel();
            var registered = await new Proto.PatientRecord.PatientRecordClient(channel).RegisterPatientAsync(Registration("943 476 5919", "Nowak"));
            patientId = registered.PatientId;
            Assert.Equal(0, await host.StopAsync());
        }

        await using var restarted = await RecordHostProcess.StartAsync(storage);
        Assert.Equal(HttpStatusCode.OK, await restarted.WaitUntilReadyAsync());
        using var fhir = restarted.CreateFhirClient();
        using var restartedChannel = restarted.CreateGrpcChannel();

        var patient = await fhir.ReadAsync<Patient>($"Patient/{patientId}");
        var record = await new Proto.PatientRecord.PatientRecordClient(restartedChannel).GetRecordAsync(new Proto.GetRecordRequest { PatientId = patientId });

        Assert.Equal("Nowak", patient.Name.Single().Family);
        Assert.Equal("9434765919", record.Patient.NhsNumber);
    }

    [Fact]
    public async Task GivenEmptyStore_WhenServedWithDemo_ThenTheExampleUrlsAnswerWithFhir()
    {
        await using var host = await RecordHostProcess.StartAsync(await storages.ForRecordHostAsync(), "--demo", "3");
        Assert.Equal(HttpStatusCode.OK, await host.WaitUntilReadyAsync());
        using var http = new HttpClient();

        var examples = ExampleLine().Matches(host.Output).Select(m => m.Groups[1].Value).ToList();

        Assert.Contains("generated 3 synthetic patients", host.Output, StringComparison.Ordinal);
        Assert.Contains(examples, url => url.EndsWith("/$everything", StringComparison.Ordinal));
        // The demo patient account's record is stored too, at the demo practice, and the examples are about it.
        Assert.Contains(examples, url => url.EndsWith($"/Patient/{Chronicle.Contracts.Demo.DemoAccounts.PatientId}", StringComparison.Ordinal));
        var demoPatient = await http.GetStringAsync(host.FhirUrl($"Patient/{Chronicle.Contracts.Demo.DemoAccounts.PatientId}"));
        Assert.Contains(Chronicle.Contracts.Demo.DemoAccounts.PracticeOds, demoPatient, StringComparison.Ordinal);
        foreach (var url in examples)
        {
            using var response = await http.GetAsync(new Uri(url));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} answered {response.StatusCode}");
            Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task GivenAServingRecord_WhenGrpcHealthAndReflectionAreAsked_ThenItIsServingAndListsItsOwnServices()
    {
        await using var host = await RecordHostProcess.StartAsync(await storages.ForRecordHostAsync());
        Assert.Equal(HttpStatusCode.OK, await host.WaitUntilReadyAsync());
        using var channel = host.CreateGrpcChannel();

        var health = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
        using var call = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Contains("chronicle.record.v1.PatientRecord", services);
        Assert.Contains("chronicle.record.v1.RecordReplay", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task GivenAServingRecord_WhenTheOperatorRebuildsItsFhirProjection_ThenReadsContinueAndAnswerTheSameRecord()
    {
        var storage = await storages.ForRecordHostAsync();
        await using var host = await RecordHostProcess.StartAsync(storage, "--demo", "3");
        Assert.Equal(HttpStatusCode.OK, await host.WaitUntilReadyAsync());
        using var http = new HttpClient();
        var patient = host.FhirUrl($"Patient/{Chronicle.Contracts.Demo.DemoAccounts.PatientId}");
        var before = await http.GetStringAsync(patient);
        using var stop = new CancellationTokenSource();
        var reads = Task.Run(async () =>
        {
            var answers = new List<(HttpStatusCode Status, string Body)>();
            while (!stop.IsCancellationRequested)
            {
                using var response = await http.GetAsync(patient);
                answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync()));
            }

            return answers;
        });

        // Another process, on the same storage, while the service keeps serving from the live tables.
        var rebuild = await RecordHostProcess.RunAsync(storage, "rebuild", "--projection", "record-fhir", "--Chronicle:Security:Disabled=true");
        await stop.CancelAsync();
        var answers = await reads;

        Assert.True(rebuild.ExitCode == 0, $"rebuild exited {rebuild.ExitCode}: {rebuild.Errors}");
        Assert.Contains("Projection 'record-fhir' rebuilt, swapped in and caught up", rebuild.Output, StringComparison.Ordinal);
        Assert.NotEmpty(answers);
        Assert.All(answers, answer => Assert.Equal((HttpStatusCode.OK, before), answer));
        Assert.Equal(before, await http.GetStringAsync(patient));
    }

    [Fact]
    public async Task GivenAnUnknownProjection_WhenRebuilt_ThenTheVerbExitsTwoNamingTheRecordsProjections()
    {
        var run = await RecordHostProcess.RunAsync(await storages.ForRecordHostAsync(), "rebuild", "--projection", "fhir", "--Chronicle:Security:Disabled=true");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("No projection is named 'fhir'. This service has: record-fhir.", run.Errors, StringComparison.Ordinal);
    }

    private static long StoredEvents(HostRun run) =>
        long.Parse(StoredEventsLine().Match(run.Output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static Proto.RegisterPatientRequest Registration(string nhsNumber, string family) => new()
    {
        CommandId = Guid.NewGuid().ToString(),
        NhsNumber = nhsNumber,
        GeneralPracticeOds = "A81001",
        Demographics = new Proto.Demographics
        {
            Name = new Proto.HumanName { Family = family, Given = { "Jane" } },
            BirthDate = "1980-04-12",
            Gender = "female",
        },
    };

    private static Proto.RecordConsultationRequest Consultation(string patientId, long expectedVersion) => new()
    {
        CommandId = Guid.NewGuid().ToString(),
        PatientId = patientId,
        ExpectedVersion = expectedVersion,
        Start = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-20)),
        Practitioner = new Proto.Practitioner { Id = "G1234567", Name = "Dr Asha Patel", Role = "GP" },
        ServiceProviderOds = "A81001",
        Mode = "face-to-face",
        Entries =
        {
            new Proto.ConsultationEntry
            {
                Observation = new Proto.Observation
                {
                    Code = new Proto.Coding { System = "http://snomed.info/sct", Code = "27113001", Display = "Body weight" },
                    Value = new Proto.Quantity { Value = "72.5", Unit = "kg" },
                },
            },
        },
    };

    [GeneratedRegex(@"the store holds (\d+) events")]
    private static partial Regex StoredEventsLine();

    [GeneratedRegex(@"^Chronicle Record demo: try (\S+)$", RegexOptions.Multiline)]
    private static partial Regex ExampleLine();
}

public sealed class SqliteRecordHostTests(SqliteStorages storages)
    : RecordHostTests(storages, "SQLite files in"), IClassFixture<SqliteStorages>;

[Collection(SharedPostgres.Collection)]
public sealed class PostgresRecordHostTests(PostgresStorages storages)
    : RecordHostTests(storages, "PostgreSQL database record_host_"), IClassFixture<PostgresStorages>;
