using Chronicle.EventStore;
using Chronicle.Record.Application;
using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;
using Chronicle.Testing;

namespace Chronicle.Record.Tests.Application;

/// <summary>The application's command handling against a real event store; subclasses choose the backend.</summary>
public abstract class PatientRecordCommandsTests(StorageBackend storage) : IAsyncLifetime
{
    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();
    private TestStorage _temporary = null!;
    private PatientRecordCommands _commands = null!;

    private IEventStore Store => _temporary.Events;

    public async Task InitializeAsync()
    {
        _temporary = await RecordTestStorage.CreateAsync(storage);
        _commands = new PatientRecordCommands(Store, new FixedClock(Now));
    }

    public async Task DisposeAsync() => await _temporary.DisposeAsync();

    private static CommandContext Context(Guid commandId, long? expectedVersion = null, string user = "G1234567") =>
        new(commandId, expectedVersion, new EventMetadata { UserId = user, OrganisationOds = Practice });

    private Task<RecordChanged> RegisterAsync(Guid commandId, PatientId? patient = null, string user = "G1234567", string nhsNumber = ValidNhsNumber) =>
        _commands.HandleAsync(Register(nhsNumber: nhsNumber) with { PatientId = patient ?? Patient }, Context(commandId, user: user));

    [Fact]
    public async Task GivenNewPatient_WhenRegistered_ThenReservationAndRegistrationStoredAndResultPointsAtTheRegistration()
    {
        var changed = await RegisterAsync(Guid.NewGuid());

        var log = await _temporary.GlobalLogAsync();
        Assert.Equal(["V1.NhsNumberReserved", "V1.PatientRegistered"], log.Select(e => e.EventType));
        Assert.Equal($"nhs-number-{ValidNhsNumber}", log[0].StreamId);
        Assert.Equal(Patient.StreamName, log[1].StreamId);
        Assert.Equal(0, changed.Version);
        Assert.Equal(log[1].LogPosition, changed.LogPosition);
    }

    [Fact]
    public async Task GivenRegistration_WhenSameCommandResent_ThenOriginalResultAndNoDuplicate()
    {
        var commandId = Guid.NewGuid();
        var first = await RegisterAsync(commandId);

        var again = await RegisterAsync(commandId, user: "someone-else");

        Assert.Equal(first, again with { EntryIds = first.EntryIds });
        Assert.Equal(2, (await _temporary.GlobalLogAsync()).Count);
    }

    [Fact]
    public async Task GivenReservationHeldBySamePatient_WhenRegistered_ThenRegistrationCarriesOn()
    {
        // A crash between the reservation and the registration leaves the number reserved for this patient.
        var commandId = Guid.NewGuid();
        await Store.AppendAsync($"nhs-number-{ValidNhsNumber}", ExpectedVersion.NoStream,
            [Registry.ToEventData(DerivedIds.NhsNumberReservation(commandId), new NhsNumberReserved(ValidNhsNumber, Patient.Value), EventMetadata.Empty)]);

        var changed = await RegisterAsync(commandId);

        Assert.Equal(0, changed.Version);
        Assert.Equal(2, (await _temporary.GlobalLogAsync()).Count);
    }

    [Fact]
    public async Task GivenNhsNumberRegisteredToAnotherPatient_WhenRegistered_ThenRefusedAndNothingAppended()
    {
        await RegisterAsync(Guid.NewGuid());

        await Assert.ThrowsAsync<NhsNumberAlreadyRegisteredException>(() => RegisterAsync(Guid.NewGuid(), new PatientId(Guid.NewGuid())));
        Assert.Equal(2, (await _temporary.GlobalLogAsync()).Count);
    }

    // A registration that fails must leave its NHS number free: whoever registers it next succeeds.
    private async Task AssertNhsNumberFreeAsync(string nhsNumber = ValidNhsNumber)
    {
        var other = new PatientId(Guid.NewGuid());
        var changed = await RegisterAsync(Guid.NewGuid(), other, nhsNumber: nhsNumber);
        Assert.Equal(0, changed.Version);
        Assert.Equal(other, changed.PatientId);
    }

    [Fact]
    public async Task GivenRegistrationOverTheStoreSizeLimit_WhenRefused_ThenNothingIsReservedAndTheNhsNumberStaysFree()
    {
        // Provenance that leaves room for a small reservation but not for the registration with it: the store refuses the
        // registration, and must not have stored the reservation before.
        var registration = Registry.ToEventData(Guid.NewGuid(), Registered() with { Demographics = Demographics() with
        {
            Telecom = [.. Enumerable.Range(0, 8).Select(i => new ContactPoint("phone", $"0113 496 {i:D4}", "home"))],
        } }, EventMetadata.Empty);
        var reason = new string('r', EventStoreLimits.MaxEventBytes - registration.Data.Length + 200);
        var context = new CommandContext(Guid.NewGuid(), null, new EventMetadata { UserId = "G1234567", Reason = reason });

        await Assert.ThrowsAsync<InvalidAppendException>(() => _commands.HandleAsync(Register() with
        {
            Demographics = Demographics() with { Telecom = [.. Enumerable.Range(0, 8).Select(i => new ContactPoint("phone", $"0113 496 {i:D4}", "home"))] },
        }, context));

        Assert.Empty(await _temporary.GlobalLogAsync());
        await AssertNhsNumberFreeAsync();
    }

    [Fact]
    public async Task GivenPatientIdTakenBetweenTheReservationAndTheRegistration_WhenRefused_ThenTheNhsNumberIsReleased()
    {
        var racing = new InterleavingStore(Store);
        var commands = new PatientRecordCommands(racing, new FixedClock(Now));
        racing.Stream = Patient.StreamName;
        racing.BeforeNextAppend = store => new PatientRecordCommands(store, new FixedClock(Now))
            .HandleAsync(Register(nhsNumber: "9434765870"), Context(Guid.NewGuid()));

        await Assert.ThrowsAsync<PatientIdUnavailableException>(() => commands.HandleAsync(Register(), Context(Guid.NewGuid())));

        var reservations = await Store.ReadStreamAsync($"nhs-number-{ValidNhsNumber}", StreamReadOptions.Forwards);
        Assert.Equal(["V1.NhsNumberReserved", "V1.NhsNumberReservationReleased"], reservations.Select(e => e.EventType));
        await AssertNhsNumberFreeAsync();
    }

    [Fact]
    public async Task GivenPatientIdAlreadyRegistered_WhenRegisteredWithAnotherNhsNumber_ThenRefusedAndThatNumberIsNotReserved()
    {
        await RegisterAsync(Guid.NewGuid());

        await Assert.ThrowsAsync<PatientIdUnavailableException>(() => RegisterAsync(Guid.NewGuid(), nhsNumber: "9434765870"));

        Assert.Equal(2, (await _temporary.GlobalLogAsync()).Count);
        await AssertNhsNumberFreeAsync("9434765870");
    }

    [Fact]
    public async Task GivenCommandIdAlreadyUsedByAnotherCommand_WhenARegistrationReusesIt_ThenRefusedAndTheNhsNumberIsReleased()
    {
        // The reservation's id is new, the registration's event id is the consultation's: refused after the reservation.
        await RegisterAsync(Guid.NewGuid());
        var commandId = Guid.NewGuid();
        await _commands.HandleAsync(Consultation(Note(1)), Context(commandId, expectedVersion: 0));

        await Assert.ThrowsAsync<CommandIdReusedException>(() =>
            _commands.HandleAsync(Register(nhsNumber: "9434765870") with { PatientId = new PatientId(Guid.NewGuid()) }, Context(commandId)));

        await AssertNhsNumberFreeAsync("9434765870");
    }

    [Fact]
    public async Task GivenCrashBetweenTheReservationAndTheRegistration_WhenTheNumberIsRegisteredForAnotherPatient_ThenTheFirstRegistrationIsCompleted()
    {
        // The crash: the reservation is stored, the registration's append never happens.
        var crashing = new InterleavingStore(Store) { Stream = Patient.StreamName, BeforeNextAppend = _ => throw new IOException("process killed") };
        var commandId = Guid.NewGuid();
        await Assert.ThrowsAsync<IOException>(() => new PatientRecordCommands(crashing, new FixedClock(Now)).HandleAsync(Register(), Context(commandId)));

        await Assert.ThrowsAsync<NhsNumberAlreadyRegisteredException>(() => RegisterAsync(Guid.NewGuid(), new PatientId(Guid.NewGuid())));

        // The number is held by the patient it was reserved for, who is registered as the first request asked, with its
        // provenance, without waiting for that request to be retried; the retry gets the registration's result.
        var record = await new PatientRecordQueries(Store).GetRecordAsync(Patient);
        var retried = await RegisterAsync(commandId);
        Assert.Equal(ValidNhsNumber, record.NhsNumber?.Value);
        Assert.Equal(0, retried.Version);
        var stored = Assert.Single(await Store.ReadStreamAsync(Patient.StreamName, StreamReadOptions.Forwards));
        Assert.Equal((DerivedIds.Event(commandId, 0), commandId.ToString()), (stored.EventId, stored.Metadata.CausationId));
    }

    [Fact]
    public async Task GivenOneNhsNumber_WhenRegisteredForSeveralPatientsAtOnce_ThenExactlyOnePatientHoldsItAndTheOthersAreRefused()
    {
        var patients = Enumerable.Range(0, 6).Select(_ => new PatientId(Guid.NewGuid())).ToArray();

        var outcomes = await Task.WhenAll(patients.Select(patient => Task.Run(async () =>
        {
            try
            {
                return (await new PatientRecordCommands(Store, new FixedClock(Now)).HandleAsync(Register() with { PatientId = patient },
                    Context(Guid.NewGuid()))).PatientId;
            }
            catch (NhsNumberAlreadyRegisteredException)
            {
                return (PatientId?)null;
            }
        })));

        var winner = Assert.Single(outcomes, o => o is not null)!.Value;
        var registered = new List<PatientId>();
        foreach (var patient in patients)
        {
            if ((await Store.GetStreamStateAsync(patient.StreamName)).Exists)
                registered.Add(patient);
        }

        Assert.Equal([winner], registered);
        await Assert.ThrowsAsync<NhsNumberAlreadyRegisteredException>(() => RegisterAsync(Guid.NewGuid(), new PatientId(Guid.NewGuid())));
    }

    [Fact]
    public async Task GivenReservationWrittenBeforeReservationsCarriedTheirRegistration_WhenItsPatientWasNeverRegistered_ThenTheNumberIsReleased()
    {
        // What a failed registration left behind before this was fixed: the number burnt, held by nobody.
        await Store.AppendAsync($"nhs-number-{ValidNhsNumber}", ExpectedVersion.NoStream,
            [Registry.ToEventData(Guid.NewGuid(), new NhsNumberReserved(ValidNhsNumber, Guid.NewGuid()), EventMetadata.Empty)]);

        await AssertNhsNumberFreeAsync();
    }

    [Fact]
    public async Task GivenStaleExpectedVersion_WhenCommandSent_ThenConflictCarriesCurrentVersionAndNothingAppended()
    {
        await RegisterAsync(Guid.NewGuid());
        await _commands.HandleAsync(Consultation(Note(1)), Context(Guid.NewGuid(), expectedVersion: 0));

        var conflict = await Assert.ThrowsAsync<RecordVersionConflictException>(() =>
            _commands.HandleAsync(new UpdateDemographics(Patient, Demographics(family: "Jones")), Context(Guid.NewGuid(), expectedVersion: 0)));

        Assert.Equal(2, conflict.CurrentVersion);
        Assert.Equal(4, (await _temporary.GlobalLogAsync()).Count);
    }

    [Fact]
    public async Task GivenCommandIdAlreadyUsed_WhenDifferentCommandSentWithIt_ThenRefused()
    {
        await RegisterAsync(Guid.NewGuid());
        var commandId = Guid.NewGuid();
        await _commands.HandleAsync(Consultation(Note(1)), Context(commandId, expectedVersion: 0));

        await Assert.ThrowsAsync<CommandIdReusedException>(() =>
            _commands.HandleAsync(Consultation(Note(1, "a different note")) with { EncounterId = Guid.NewGuid() }, Context(commandId, expectedVersion: 2)));
    }

    [Fact]
    public async Task GivenCommandIdUsedForAnotherPatient_WhenSentAgain_ThenRefused()
    {
        var commandId = Guid.NewGuid();
        await RegisterAsync(commandId);

        await Assert.ThrowsAsync<CommandIdReusedException>(() =>
            _commands.HandleAsync(Register(nhsNumber: "9434765870") with { PatientId = new PatientId(Guid.NewGuid()) }, Context(commandId)));
    }

    [Fact]
    public async Task GivenSameCommand_WhenSentConcurrently_ThenEveryCallGetsTheSameResultAndEventsAreStoredOnce()
    {
        await RegisterAsync(Guid.NewGuid());
        var commandId = Guid.NewGuid();
        var consultation = Consultation(Note(1), Weight(2));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            Task.Run(() => _commands.HandleAsync(consultation, Context(commandId, expectedVersion: 0, user: $"user-{i}")))));

        Assert.All(results, r => Assert.Equal(results[0].LogPosition, r.LogPosition));
        Assert.Equal(5, (await _temporary.GlobalLogAsync()).Count);
    }

    [Fact]
    public async Task GivenConsultation_WhenRecorded_ThenResultNamesEncounterAndEntriesInOrder()
    {
        await RegisterAsync(Guid.NewGuid());

        var changed = await _commands.HandleAsync(Consultation(Note(1), Problem(2), Weight(3)), Context(Guid.NewGuid(), expectedVersion: 0));

        Assert.Equal(Encounter, changed.EncounterId);
        Assert.Equal([EntryId(1), EntryId(2), EntryId(3)], changed.EntryIds);
        Assert.Equal(4, changed.Version);
    }

    [Fact]
    public async Task GivenAConsultation_WhenRecorded_ThenEachEventCarriesCallerProvenanceWithCommandIdAsCausation()
    {
        await RegisterAsync(Guid.NewGuid());
        var commandId = Guid.NewGuid();
        await _commands.HandleAsync(Consultation(Note(1)), Context(commandId, expectedVersion: 0));

        var events = await Store.ReadStreamAsync(Patient.StreamName, new StreamReadOptions { FromVersion = 1 });
        Assert.All(events, e =>
        {
            Assert.Equal("G1234567", e.Metadata.UserId);
            Assert.Equal(commandId.ToString(), e.Metadata.CausationId);
        });
        Assert.Equal([DerivedIds.Event(commandId, 0), DerivedIds.Event(commandId, 1)], events.Select(e => e.EventId));
    }

    [Fact]
    public async Task GivenAnotherProcessAppendedSinceTheRecordWasKept_WhenCommandSent_ThenDecidedOnTheRecordAsItStandsNow()
    {
        // Two commands after registration: a record folded whole a second time is kept.
        await RegisterAsync(Guid.NewGuid());
        await _commands.HandleAsync(Consultation(Note(1)), Context(Guid.NewGuid(), expectedVersion: 0));
        await _commands.HandleAsync(new UpdateDemographics(Patient, Demographics(family: "Jones")), Context(Guid.NewGuid(), expectedVersion: 2));
        var otherProcess = new PatientRecordCommands(Store, new FixedClock(Now));
        var added = await otherProcess.HandleAsync(Consultation(Problem(2)) with { EncounterId = Guid.NewGuid() }, Context(Guid.NewGuid(), expectedVersion: 3));

        // The problem exists only in the other process's append: deciding on the kept record would not find it.
        var resolved = await _commands.HandleAsync(new ResolveProblem(Patient, EntryId(2), new DateOnly(2025, 6, 1)),
            Context(Guid.NewGuid(), expectedVersion: added.Version));
        var conflict = await Assert.ThrowsAsync<RecordVersionConflictException>(() =>
            _commands.HandleAsync(Consultation(Note(3)) with { EncounterId = Guid.NewGuid() }, Context(Guid.NewGuid(), expectedVersion: 3)));

        Assert.Equal(added.Version + 1, resolved.Version);
        Assert.Equal(resolved.Version, conflict.CurrentVersion);
    }

    [Fact]
    public async Task GivenAnotherWriterAppendsBetweenReadAndAppend_WhenCommandHasExpectedVersion_ThenConflictAndTheNextCommandDecidesOnTheNewRecord()
    {
        var racing = new InterleavingStore(Store);
        var commands = new PatientRecordCommands(racing, new FixedClock(Now));
        await commands.HandleAsync(Register(), Context(Guid.NewGuid()));
        await commands.HandleAsync(Consultation(Note(1)), Context(Guid.NewGuid(), expectedVersion: 0));
        racing.Stream = Patient.StreamName;
        racing.BeforeNextAppend = store => new PatientRecordCommands(store, new FixedClock(Now))
            .HandleAsync(Consultation(Problem(2)) with { EncounterId = Guid.NewGuid() }, Context(Guid.NewGuid(), expectedVersion: 2));

        var conflict = await Assert.ThrowsAsync<RecordVersionConflictException>(() =>
            commands.HandleAsync(new UpdateDemographics(Patient, Demographics(family: "Jones")), Context(Guid.NewGuid(), expectedVersion: 2)));
        var resolved = await commands.HandleAsync(new ResolveProblem(Patient, EntryId(2), new DateOnly(2025, 6, 1)), Context(Guid.NewGuid(), expectedVersion: 4));

        Assert.Equal(4, conflict.CurrentVersion);
        Assert.Equal(5, resolved.Version);
        var stream = await Store.ReadStreamAsync(Patient.StreamName, StreamReadOptions.Forwards);
        Assert.DoesNotContain(stream, e => e.EventType == "V1.DemographicsUpdated");
    }

    [Fact]
    public async Task GivenAnotherWriterAppendsBetweenReadAndAppend_WhenCommandHasNoExpectedVersion_ThenRetriedOnTheNewRecord()
    {
        var racing = new InterleavingStore(Store);
        var commands = new PatientRecordCommands(racing, new FixedClock(Now));
        await commands.HandleAsync(Register(), Context(Guid.NewGuid()));
        racing.Stream = Patient.StreamName;
        racing.BeforeNextAppend = store => new PatientRecordCommands(store, new FixedClock(Now))
            .HandleAsync(Consultation(Problem(2)), Context(Guid.NewGuid(), expectedVersion: 0));

        var changed = await commands.HandleAsync(Consultation(Note(3)) with { EncounterId = Guid.NewGuid() }, Context(Guid.NewGuid()));

        Assert.Equal(4, changed.Version);
        var stream = await Store.ReadStreamAsync(Patient.StreamName, StreamReadOptions.Forwards);
        Assert.Equal(["V1.PatientRegistered", "V1.ConsultationRecorded", "V1.ProblemAdded", "V1.ConsultationRecorded", "V1.NoteWritten"],
            stream.Select(e => e.EventType));
    }

    [Fact]
    public async Task GivenCommandSucceededAndLaterCommandsFollowed_WhenResent_ThenOriginalResult()
    {
        await RegisterAsync(Guid.NewGuid());
        var commandId = Guid.NewGuid();
        var first = await _commands.HandleAsync(Consultation(Note(1)), Context(commandId, expectedVersion: 0));
        await _commands.HandleAsync(new UpdateDemographics(Patient, Demographics(family: "Jones")), Context(Guid.NewGuid(), expectedVersion: 2));

        var again = await _commands.HandleAsync(Consultation(Note(1)), Context(commandId, expectedVersion: 0));

        Assert.Equal(first, again with { EntryIds = first.EntryIds });
        Assert.Equal(first.EntryIds, again.EntryIds);
        Assert.Equal(5, (await _temporary.GlobalLogAsync()).Count);
    }

    [Fact]
    public async Task GivenCacheShared_WhenTheStreamIsNotTheOneKept_ThenDecidedOnTheStreamAsStored()
    {
        // A database restored from a backup: the same patient at the same version, with other events.
        var cache = new RecordStateCache();
        var restored = await RecordTestStorage.CreateAsync(storage);
        try
        {
            var before = new PatientRecordCommands(Store, new FixedClock(Now), cache);
            var after = new PatientRecordCommands(restored.Events, new FixedClock(Now), cache);
            await before.HandleAsync(Register(), Context(Guid.NewGuid()));
            await before.HandleAsync(Consultation(Note(1)), Context(Guid.NewGuid(), expectedVersion: 0));
            await after.HandleAsync(Register(), Context(Guid.NewGuid()));
            await after.HandleAsync(Consultation(Problem(2)), Context(Guid.NewGuid(), expectedVersion: 0));
            cache.Keep(Patient.StreamName, FoldedRecord.From(await Store.ReadWholeStreamAsync(Patient.StreamName)));

            var resolved = await after.HandleAsync(new ResolveProblem(Patient, EntryId(2), new DateOnly(2025, 6, 1)), Context(Guid.NewGuid(), expectedVersion: 2));

            Assert.Equal(3, resolved.Version);
        }
        finally
        {
            await restored.DisposeAsync();
        }
    }

    [Fact]
    public async Task GivenRecordOpenedThroughTheSharedCache_WhenAnotherProcessAppends_ThenTheNextReadAndCommandSeeIt()
    {
        var cache = new RecordStateCache();
        var commands = new PatientRecordCommands(Store, new FixedClock(Now), cache);
        var queries = new PatientRecordQueries(Store, cache);
        await commands.HandleAsync(Register(), Context(Guid.NewGuid()));
        var opened = await queries.GetRecordAsync(Patient);
        await new PatientRecordCommands(Store, new FixedClock(Now)).HandleAsync(Consultation(Problem(2)), Context(Guid.NewGuid(), expectedVersion: 0));

        var reopened = await queries.GetRecordAsync(Patient);
        var resolved = await commands.HandleAsync(new ResolveProblem(Patient, EntryId(2), new DateOnly(2025, 6, 1)), Context(Guid.NewGuid(), expectedVersion: 2));

        Assert.Equal(0, opened.Version);
        Assert.Equal(2, reopened.Version);
        Assert.True(reopened.Entries.ContainsKey(EntryId(2)));
        Assert.Equal(3, resolved.Version);
        await Assert.ThrowsAsync<PatientNotFoundException>(() => queries.GetRecordAsync(new PatientId(Guid.NewGuid())));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

public sealed class SqlitePatientRecordCommandsTests() : PatientRecordCommandsTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresPatientRecordCommandsTests() : PatientRecordCommandsTests(StorageBackend.Postgres);
