using Chronicle.Contracts.Record.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static Chronicle.Record.Tests.Grpc.RecordRequests;
using Chronicle.Testing;

namespace Chronicle.Record.Tests.Grpc;

/// <summary>End to end: a gRPC client over a real loopback socket to the record service; subclasses choose the store's backend.</summary>
public abstract class PatientRecordGrpcTests(StorageBackend storage) : IAsyncLifetime
{
    private RecordServer _server = null!;

    private PatientRecord.PatientRecordClient Client => _server.Client;

    public async Task InitializeAsync() => _server = await RecordServer.StartAsync(storage);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<CommandReply> RegisterAsync(string nhsNumber = "9434765919") => await Client.RegisterPatientAsync(Registration(nhsNumber));

    private async Task<RpcException> RefusedAsync(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);

    [Fact]
    public async Task GivenNewPatient_WhenRegistered_ThenGetRecordShowsThem()
    {
        var registered = await RegisterAsync("943 476 5919");

        var record = await Client.GetRecordAsync(new GetRecordRequest { PatientId = registered.PatientId });

        Assert.Equal(0, registered.Version);
        Assert.Equal(0, record.Version);
        Assert.Equal("9434765919", record.Patient.NhsNumber);
        Assert.Equal("Smith", record.Patient.Demographics.Name.Family);
        Assert.Equal("1980-04-12", record.Patient.Demographics.BirthDate);
        Assert.Equal("A81001", record.Patient.GeneralPracticeOds);
        Assert.Equal("LS1 1AA", record.Patient.Demographics.Address.PostalCode);
        Assert.True(registered.LogPosition.Position > 0);
    }

    [Fact]
    public async Task GivenInvalidNhsNumber_WhenRegistered_ThenInvalidArgumentAndNothingAppended()
    {
        var refusal = await RefusedAsync(() => RegisterAsync("9434765918"));

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.Contains("nhs_number", refusal.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(await _server.GlobalLogAsync());
    }

    [Fact]
    public async Task GivenRegisteredNhsNumber_WhenAnotherPatientRegistersIt_ThenAlreadyExists()
    {
        await RegisterAsync("9434765919");

        var refusal = await RefusedAsync(() => RegisterAsync("943-476-5919"));

        Assert.Equal(StatusCode.AlreadyExists, refusal.StatusCode);
        Assert.Equal("NHS number 943 476 5919 is already registered to another patient.", refusal.Status.Detail);
        Assert.Equal(2, (await _server.GlobalLogAsync()).Count);
    }

    [Fact]
    public async Task GivenConsultationWithEveryEntryKind_WhenRecorded_ThenGetRecordShowsEachInOrder()
    {
        var patient = await RegisterAsync();
        var request = Consultation(patient.PatientId, patient.Version,
            Problem(), Weight("72.50"), BloodPressure(), Allergy(), Medication(), Immunisation(), Referral(), Note("Advised on salt intake."));

        var recorded = await Client.RecordConsultationAsync(request);
        var record = await Client.GetRecordAsync(new GetRecordRequest { PatientId = patient.PatientId });

        Assert.Equal(9, recorded.Version);
        Assert.Equal(8, recorded.EntryIds.Count);
        Assert.Equal(recorded.Version, record.Version);
        var encounter = Assert.Single(record.Encounters);
        Assert.Equal(recorded.EncounterId, encounter.EncounterId);
        Assert.Equal("Dr Asha Patel", encounter.Practitioner.Name);
        Assert.Equal(request.Start, encounter.Start);
        Assert.Equal(recorded.EntryIds, record.Entries.Select(e => e.EntryId));
        Assert.Equal(
            [RecordEntry.EntryOneofCase.Problem, RecordEntry.EntryOneofCase.Observation, RecordEntry.EntryOneofCase.Observation,
             RecordEntry.EntryOneofCase.Allergy, RecordEntry.EntryOneofCase.MedicationStatement, RecordEntry.EntryOneofCase.Immunisation,
             RecordEntry.EntryOneofCase.Referral, RecordEntry.EntryOneofCase.Note],
            record.Entries.Select(e => e.EntryCase));
        Assert.All(record.Entries, e => Assert.Equal(recorded.EncounterId, e.EncounterId));
        Assert.All(record.Entries, e => Assert.False(e.EnteredInError));

        Assert.Equal("active", record.Entries[0].Problem.ClinicalStatus);
        Assert.Equal("72.50", record.Entries[1].Observation.Value.Value);
        Assert.Equal(request.Start, record.Entries[1].Observation.Effective);
        Assert.Equal(["142", "91"], record.Entries[2].Observation.Components.Select(c => c.Value.Value));
        Assert.Equal("high", record.Entries[3].Allergy.Criticality);
        Assert.Equal("39720311000001101", record.Entries[4].MedicationStatement.Medication.Code);
        Assert.Equal("FL1234", record.Entries[5].Immunisation.LotNumber);
        Assert.Equal("urgent", record.Entries[6].Referral.Priority);
        Assert.Equal("Advised on salt intake.", record.Entries[7].Note.Text);
    }

    [Fact]
    public async Task GivenProblem_WhenResolvedThenMarkedEnteredInError_ThenRecordShowsBoth()
    {
        var patient = await RegisterAsync();
        var recorded = await Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version, Problem(), Note("note")));

        var resolved = await Client.ResolveProblemAsync(new ResolveProblemRequest
        {
            CommandId = NewId(), PatientId = patient.PatientId, ExpectedVersion = recorded.Version, EntryId = recorded.EntryIds[0], AbatementDate = "2024-01-01",
        });
        var marked = await Client.MarkEnteredInErrorAsync(new MarkEnteredInErrorRequest
        {
            CommandId = NewId(), PatientId = patient.PatientId, ExpectedVersion = resolved.Version, EntryId = recorded.EncounterId, Reason = "wrong patient",
        });
        var record = await Client.GetRecordAsync(new GetRecordRequest { PatientId = patient.PatientId });

        Assert.Equal(resolved.Version + 3, marked.Version);
        Assert.Equal("resolved", record.Entries[0].Problem.ClinicalStatus);
        Assert.Equal("2024-01-01", record.Entries[0].Problem.AbatementDate);
        Assert.True(Assert.Single(record.Encounters).EnteredInError);
        Assert.All(record.Entries, e => Assert.Equal("wrong patient", e.EnteredInErrorReason));
    }

    [Fact]
    public async Task GivenTwoCliniciansAtTheSameVersion_WhenBothWrite_ThenOneWinsAndTheOtherIsToldTheCurrentVersion()
    {
        var patient = await RegisterAsync();

        var first = await Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version, Note("first clinician")));
        var refusal = await RefusedAsync(() => Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version, Note("second clinician"))).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refusal.StatusCode);
        Assert.Equal(first.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), refusal.Trailers.GetValue("current-version"));
        Assert.Contains($"is at version {first.Version}, not {patient.Version}", refusal.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(2 + 2, (await _server.GlobalLogAsync()).Count);
    }

    [Fact]
    public async Task GivenTwoClinicians_WhenWritingConcurrently_ThenExactlyOneWins()
    {
        var patient = await RegisterAsync();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 2).Select(async i =>
        {
            try
            {
                await Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version, Note($"clinician {i}")));
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));

        Assert.Equal([StatusCode.OK, StatusCode.FailedPrecondition], attempts.Order());
        Assert.Equal(2 + 2, (await _server.GlobalLogAsync()).Count);
    }

    [Fact]
    public async Task GivenCommandThatSucceeded_WhenResent_ThenSameReplyAndNoDuplicateEvents()
    {
        var registration = Registration();
        var registered = await Client.RegisterPatientAsync(registration);
        var consultation = Consultation(registered.PatientId, registered.Version, Note("once"), Weight());
        var recorded = await Client.RecordConsultationAsync(consultation);
        var logLength = (await _server.GlobalLogAsync()).Count;

        var registeredAgain = await Client.RegisterPatientAsync(registration);
        var recordedAgain = await Client.RecordConsultationAsync(consultation);

        Assert.Equal(registered, registeredAgain);
        Assert.Equal(recorded, recordedAgain);
        Assert.Equal(logLength, (await _server.GlobalLogAsync()).Count);
    }

    [Fact]
    public async Task GivenARecordedCommandId_WhenReusedForDifferentCommand_ThenAlreadyExists()
    {
        var patient = await RegisterAsync();
        var consultation = Consultation(patient.PatientId, patient.Version, Note("first"));
        var recorded = await Client.RecordConsultationAsync(consultation);

        var different = Consultation(patient.PatientId, recorded.Version, Note("second"));
        different.CommandId = consultation.CommandId;
        var refusal = await RefusedAsync(() => Client.RecordConsultationAsync(different).ResponseAsync);

        Assert.Equal(StatusCode.AlreadyExists, refusal.StatusCode);
        Assert.Contains("already used for a different command", refusal.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenLaterChanges_WhenReadAsAtEarlierPositionOrTime_ThenEarlierStateReturned()
    {
        var patient = await RegisterAsync();
        var history = await Client.GetHistoryAsync(new GetHistoryRequest { PatientId = patient.PatientId });
        await Task.Delay(TimeSpan.FromMilliseconds(20));
        var recorded = await Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version, Note("later")));

        var byPosition = await Client.GetRecordAsAtAsync(new GetRecordAsAtRequest { PatientId = patient.PatientId, LogPosition = patient.LogPosition });
        var byTime = await Client.GetRecordAsAtAsync(new GetRecordAsAtRequest { PatientId = patient.PatientId, Time = history.Events[0].RecordedTime });
        var now = await Client.GetRecordAsAtAsync(new GetRecordAsAtRequest { PatientId = patient.PatientId, LogPosition = recorded.LogPosition });

        Assert.Equal(0, byPosition.Version);
        Assert.Empty(byPosition.Entries);
        Assert.Equal(0, byTime.Version);
        Assert.Empty(byTime.Encounters);
        Assert.Equal(recorded.Version, now.Version);
        Assert.Single(now.Entries);
    }

    [Fact]
    public async Task GivenTimeBeforeRegistration_WhenReadAsAt_ThenNotFound()
    {
        var patient = await RegisterAsync();

        var refusal = await RefusedAsync(() => Client.GetRecordAsAtAsync(new GetRecordAsAtRequest
        {
            PatientId = patient.PatientId, Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-1)),
        }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, refusal.StatusCode);
    }

    [Fact]
    public async Task GivenProvenanceHeaders_WhenCommandSent_ThenHistoryShowsThemOnEveryEvent()
    {
        var patient = await RegisterAsync();
        var headers = new Metadata
        {
            { "x-user-id", "G1234567" },
            { "x-user-role", "R8000" },
            { "x-organisation-ods", "A81001" },
            { "x-on-behalf-of", "G7654321" },
            { "x-client-id", "online-consultation-module" },
            { "x-reason", "routine review" },
            { "x-correlation-id", "req-42" },
        };
        var consultation = Consultation(patient.PatientId, patient.Version, Note("with provenance"), Weight());

        await Client.RecordConsultationAsync(consultation, headers);
        var history = await Client.GetHistoryAsync(new GetHistoryRequest { PatientId = patient.PatientId, FromVersion = 1 });

        Assert.Equal(["V1.ConsultationRecorded", "V1.NoteWritten", "V1.ObservationRecorded"], history.Events.Select(e => e.EventType));
        Assert.Equal([1L, 2L, 3L], history.Events.Select(e => e.Version));
        Assert.Equal(-1, history.NextFromVersion);
        Assert.All(history.Events, e =>
        {
            Assert.Equal(new Provenance
            {
                UserId = "G1234567", Role = "R8000", OrganisationOds = "A81001", OnBehalfOf = "G7654321",
                ClientId = "online-consultation-module", Reason = "routine review", CorrelationId = "req-42", CausationId = consultation.CommandId,
            }, e.Provenance);
            Assert.NotNull(e.RecordedTime);
        });
        Assert.Contains("\"text\":\"with provenance\"", history.Events[1].DataJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenLongHistory_WhenReadInPages_ThenPagesJoinUp()
    {
        var patient = await RegisterAsync();
        await Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version, Note("1"), Note("2"), Note("3")));

        var first = await Client.GetHistoryAsync(new GetHistoryRequest { PatientId = patient.PatientId, MaxCount = 3 });
        var second = await Client.GetHistoryAsync(new GetHistoryRequest { PatientId = patient.PatientId, FromVersion = first.NextFromVersion, MaxCount = 3 });

        Assert.Equal([0L, 1L, 2L], first.Events.Select(e => e.Version));
        Assert.Equal(3, first.NextFromVersion);
        Assert.Equal([3L, 4L], second.Events.Select(e => e.Version));
        Assert.Equal(-1, second.NextFromVersion);
    }

    [Fact]
    public async Task GivenUnknownPatient_WhenReadOrWritten_ThenNotFound()
    {
        var unknown = NewId();

        var read = await RefusedAsync(() => Client.GetRecordAsync(new GetRecordRequest { PatientId = unknown }).ResponseAsync);
        var history = await RefusedAsync(() => Client.GetHistoryAsync(new GetHistoryRequest { PatientId = unknown }).ResponseAsync);
        var write = await RefusedAsync(() => Client.RecordConsultationAsync(Consultation(unknown, 0, Note("x"))).ResponseAsync);

        Assert.Equal([StatusCode.NotFound, StatusCode.NotFound, StatusCode.NotFound], new[] { read.StatusCode, history.StatusCode, write.StatusCode });
        Assert.Equal($"Patient {unknown} is not registered.", read.Status.Detail);
    }

    [Fact]
    public async Task GivenUnknownEntry_WhenResolved_ThenNotFound()
    {
        var patient = await RegisterAsync();

        var refusal = await RefusedAsync(() => Client.ResolveProblemAsync(new ResolveProblemRequest
        {
            CommandId = NewId(), PatientId = patient.PatientId, ExpectedVersion = patient.Version, EntryId = NewId(), AbatementDate = "2024-01-01",
        }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, refusal.StatusCode);
    }

    [Fact]
    public async Task GivenResolvedProblem_WhenResolvedAgain_ThenFailedPrecondition()
    {
        var patient = await RegisterAsync();
        var recorded = await Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version, Problem()));
        var resolve = new ResolveProblemRequest
        {
            CommandId = NewId(), PatientId = patient.PatientId, ExpectedVersion = recorded.Version, EntryId = recorded.EntryIds[0], AbatementDate = "2024-01-01",
        };
        var resolved = await Client.ResolveProblemAsync(resolve);

        resolve.CommandId = NewId();
        resolve.ExpectedVersion = resolved.Version;
        var refusal = await RefusedAsync(() => Client.ResolveProblemAsync(resolve).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, refusal.StatusCode);
        Assert.Contains("already resolved", refusal.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenOversizedNote_WhenRecorded_ThenInvalidArgumentAndNothingAppended() =>
        await AssertRejectedAsync(entries: [Note("ok"), Note(new string('x', 10_001))], "entries[1].note.text: an oversized note");

    [Fact]
    public async Task GivenFutureDate_WhenRecorded_ThenInvalidArgumentAndNothingAppended()
    {
        var problem = Problem();
        problem.Problem.OnsetDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(3)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        await AssertRejectedAsync(entries: [problem], "entries[0].problem.onset_date:", "is in the future");
    }

    [Fact]
    public async Task GivenMissingCode_WhenRecorded_ThenInvalidArgumentAndNothingAppended()
    {
        var problem = Problem();
        problem.Problem.Code = null;

        await AssertRejectedAsync(entries: [problem], "entries[0].problem.code.system: a code system is required", "entries[0].problem.code.code: a code is required");
    }

    [Fact]
    public async Task GivenUnitlessValue_WhenRecorded_ThenFieldNamedInTheMessage()
    {
        var weight = Weight();
        weight.Observation.Value.Unit = "";

        await AssertRejectedAsync(entries: [Note("a"), Note("b"), weight], "entries[2].observation.value.unit: UCUM unit is required");
    }

    [Fact]
    public async Task GivenUnreadableWireValues_WhenRecorded_ThenEachNamedInTheMessage()
    {
        var weight = Weight("seventy");
        var problem = Problem();
        problem.Problem.OnsetDate = "01/03/2020";
        var empty = new ConsultationEntry();

        await AssertRejectedAsync(entries: [weight, problem, empty],
            "entries[0].observation.value.value: 'seventy' is not a decimal number",
            "entries[1].problem.onset_date: '01/03/2020' is not a date in the form YYYY-MM-DD",
            "entries[2]: an entry needs one of");
    }

    [Fact]
    public async Task GivenMissingCommandId_WhenRegistered_ThenInvalidArgument()
    {
        var registration = Registration();
        registration.CommandId = "";

        var refusal = await RefusedAsync(() => Client.RegisterPatientAsync(registration).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.Contains("command_id", refusal.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenUnitThatIsNotUcum_WhenRecorded_ThenInvalidArgumentAndNothingAppended()
    {
        var weight = Weight();
        weight.Observation.Value.Unit = "furlongs/fortnight";

        await AssertRejectedAsync(entries: [weight], "entries[0].observation.value.unit: 'furlongs/fortnight' is not a UCUM unit");
    }

    [Fact]
    public async Task GivenNulInANote_WhenRecorded_ThenInvalidArgumentAndNothingAppended() =>
        await AssertRejectedAsync(entries: [Note("Reviewed.\0 Plan agreed.")], "entries[0].note.text: contains the control character U+0000");

    [Fact]
    public async Task GivenControlCharacterInAName_WhenRegistered_ThenInvalidArgumentNamingTheFieldAndNothingAppended()
    {
        var registration = Registration();
        registration.Demographics.Name.Family = "Smith\0<script>";

        var refusal = await RefusedAsync(() => Client.RegisterPatientAsync(registration).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.Contains("demographics.name.family: contains the control character U+0000 at position 6", refusal.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(await _server.GlobalLogAsync());
    }

    [Fact]
    public async Task GivenOverlongReasonInTheMetadata_WhenCommandSent_ThenInvalidArgumentAndNothingAppended()
    {
        var refusal = await RefusedAsync(() => Client.RegisterPatientAsync(Registration(), new Metadata { { "x-reason", new string('r', 1_001) } }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.Contains("x-reason (metadata): at most 1,000 characters", refusal.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(await _server.GlobalLogAsync());
    }

    [Fact]
    public async Task GivenIdsInAnotherFormThanTheUuidText_WhenEachRpcIsCalled_ThenInvalidArgumentNamingTheField()
    {
        // .NET reads these as UUIDs too; the record takes one text per id, so an id means one thing in the audit trail.
        var patient = await RegisterAsync();
        var braced = $"{{{patient.PatientId}}}";
        var bare = Guid.Parse(patient.PatientId).ToString("N");
        var consultation = Consultation(patient.PatientId, patient.Version, Note("x"));
        consultation.CommandId = $"{{{NewId()}}}";
        consultation.EncounterId = Guid.NewGuid().ToString("N");
        consultation.Entries[0].EntryId = "entry-1";

        var refusals = new[]
        {
            await RefusedAsync(() => Client.GetRecordAsync(new GetRecordRequest { PatientId = braced }).ResponseAsync),
            await RefusedAsync(() => Client.GetHistoryAsync(new GetHistoryRequest { PatientId = bare }).ResponseAsync),
            await RefusedAsync(() => Client.RecordConsultationAsync(consultation).ResponseAsync),
            await RefusedAsync(() => Client.ResolveProblemAsync(new ResolveProblemRequest
            {
                CommandId = NewId(), PatientId = patient.PatientId, EntryId = "1", AbatementDate = "2024-01-01",
            }).ResponseAsync),
            await RefusedAsync(() => Client.MarkEnteredInErrorAsync(new MarkEnteredInErrorRequest
            {
                CommandId = "00000000-0000-0000-0000-000000000000", PatientId = patient.PatientId, EntryId = NewId().ToUpperInvariant() + "0", Reason = "wrong",
            }).ResponseAsync),
        };

        Assert.All(refusals, r => Assert.Equal(StatusCode.InvalidArgument, r.StatusCode));
        Assert.StartsWith("patient_id: ", refusals[0].Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("patient_id: ", refusals[1].Status.Detail, StringComparison.Ordinal);
        Assert.Equal(["command_id", "encounter_id", "entries[0].entry_id"], refusals[2].Status.Detail.Split("; ").Select(e => e.Split(':')[0]));
        Assert.StartsWith("entry_id: '1' is not a UUID", refusals[3].Status.Detail, StringComparison.Ordinal);
        Assert.Equal(["command_id", "entry_id"], refusals[4].Status.Detail.Split("; ").Select(e => e.Split(':')[0]));
        Assert.Equal(2, (await _server.GlobalLogAsync()).Count);
    }

    [Fact]
    public async Task GivenRegisteredPatient_WhenTheirIdIsRegisteredAgain_ThenAlreadyExistsWithoutSayingTheyAreRegistered()
    {
        var patient = await RegisterAsync();
        var again = Registration("943 476 5870");
        again.PatientId = patient.PatientId;

        var refusal = await RefusedAsync(() => Client.RegisterPatientAsync(again).ResponseAsync);

        Assert.Equal(StatusCode.AlreadyExists, refusal.StatusCode);
        Assert.Equal($"Patient id {patient.PatientId} cannot be used for a new registration: leave patient_id empty to have one assigned, or choose another.",
            refusal.Status.Detail);
        Assert.Equal(2, (await _server.GlobalLogAsync()).Count);
    }

    private async Task AssertRejectedAsync(ConsultationEntry[] entries, params string[] messageParts)
    {
        var patient = await RegisterAsync();
        var logLength = (await _server.GlobalLogAsync()).Count;

        var refusal = await RefusedAsync(() => Client.RecordConsultationAsync(Consultation(patient.PatientId, patient.Version, entries)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.All(messageParts, part => Assert.Contains(part, refusal.Status.Detail, StringComparison.Ordinal));
        Assert.Equal(logLength, (await _server.GlobalLogAsync()).Count);
    }
}

public sealed class SqlitePatientRecordGrpcTests() : PatientRecordGrpcTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresPatientRecordGrpcTests() : PatientRecordGrpcTests(StorageBackend.Postgres);
