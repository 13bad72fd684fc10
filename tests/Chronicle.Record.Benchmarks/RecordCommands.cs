using System.Globalization;
using Chronicle.EventStore;
using Chronicle.Record.Application;
using Chronicle.Record.Domain;
using Grpc.Core;
using Grpc.Net.Client;
using static Chronicle.Record.Domain.RecordEventsV1;
using Proto = Chronicle.Contracts.Record.V1;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Chronicle.Record.Benchmarks;

internal enum CommandKind
{
    RegisterPatient,
    RecordConsultation,
    RecordConsultationRecentPatient,
}

internal sealed record CommandCase(CommandKind Kind, int Clients, SideBySide Result);

/// <summary>
/// Record commands over gRPC (Grpc.Net.Client, one HTTP/2 cleartext connection per client, real loopback socket)
/// against raw <see cref="IEventStore.AppendAsync"/> of the same events with the same concurrency. Every client
/// works on patients of its own, so no two clients ever race for one stream.
/// </summary>
internal static class RecordCommands
{
    public const string Practice = "A81001";
    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();
    private static readonly Clinician Clinician = new("G8123456", "Dr Anna Reid", "GP");
    private static readonly Coding Hypertension = new(CodeSystems.Snomed, "38341003", "Hypertensive disorder");
    private static readonly Coding BloodPressure = new(CodeSystems.Snomed, "75367002", "Blood pressure");
    private static readonly Coding Systolic = new(CodeSystems.Snomed, "271649006", "Systolic blood pressure");
    private static readonly Coding Diastolic = new(CodeSystems.Snomed, "271650006", "Diastolic blood pressure");
    private static readonly Coding BodyWeight = new(CodeSystems.Snomed, "27113001", "Body weight");
    private const string NoteText = "Chronic disease review. Stable. Continue current management.";

    private static readonly Demographics NewPatient = new(new PersonName("Smith", ["Jane"], "Mrs"), new DateOnly(1980, 4, 12), "female",
        new PostalAddress(["1 High Street"], "Leeds", null, "LS1 1AA"), [new ContactPoint("phone", "0113 496 0000", "home")]);

    /// <summary>The provenance the gRPC callers send as headers; the raw appends write the same as event metadata.</summary>
    private static readonly Metadata ProvenanceHeaders = new()
    {
        { "x-user-id", Clinician.Id }, { "x-user-role", Clinician.Role! }, { "x-organisation-ods", Practice },
        { "x-client-id", "chronicle-benchmark" }, { "x-reason", "benchmark" },
    };

    /// <summary>Events each command appends: RegisterPatient = NHS number reservation + registration (two appends); RecordConsultation = encounter + BP + weight + note (one append).</summary>
    public static int EventsOf(CommandKind kind) => kind == CommandKind.RegisterPatient ? 2 : 4;

    /// <summary>The patients client <paramref name="client"/> of <paramref name="clients"/> goes round.</summary>
    private static PatientCursor Patients(CommandKind kind, PatientRoster roster, int client, int clients) =>
        new(roster, client, clients, kind == CommandKind.RecordConsultationRecentPatient ? clients * BenchmarkSettings.RecentPatientsPerClient : roster.Count);

    public static string Describe(CommandKind kind) => kind switch
    {
        CommandKind.RegisterPatient => "RegisterPatient (new patient)",
        CommandKind.RecordConsultation => "RecordConsultation (loaded patient)",
        CommandKind.RecordConsultationRecentPatient => "RecordConsultation (recent patient)",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static async Task<IReadOnlyList<CommandCase>> RunAsync(RecordHost host, RecordBackend backend, PatientRoster roster, BenchmarkSettings settings,
        TextWriter progress)
    {
        var nhsNumbers = new NhsNumberSequence();
        var cases = new List<CommandCase>();
        foreach (var kind in Enum.GetValues<CommandKind>())
        {
            foreach (var clients in BenchmarkSettings.ClientCounts)
            {
                await backend.SettleAsync();
                using var grpc = new GrpcClients(host.GrpcAddress, clients);
                var chronicle = Enumerable.Range(0, clients).Select(i => kind == CommandKind.RegisterPatient
                    ? RegisterOverGrpc(grpc[i], nhsNumbers)
                    : ConsultOverGrpc(grpc[i], Patients(kind, roster, i, clients))).ToList();
                var baseline = Enumerable.Range(0, clients).Select(i => kind == CommandKind.RegisterPatient
                    ? RegisterByAppends(backend.Store, nhsNumbers)
                    : ConsultByAppend(backend.Store, Patients(kind, roster, i, clients))).ToList();
                var result = await SideBySide.MeasureAsync(chronicle, baseline, settings);
                cases.Add(new CommandCase(kind, clients, result));
                progress.WriteLine($"  {Describe(kind)}, {clients} client(s): {result.Chronicle.CallsPerSecond:N0} commands/s over gRPC vs " +
                    $"{result.Baseline.CallsPerSecond:N0}/s raw appends");
            }
        }

        return cases;
    }

    private static Func<Task> RegisterOverGrpc(Proto.PatientRecord.PatientRecordClient client, NhsNumberSequence nhsNumbers) => async () =>
    {
        var request = new Proto.RegisterPatientRequest
        {
            CommandId = Guid.NewGuid().ToString(),
            NhsNumber = nhsNumbers.Next().Value,
            GeneralPracticeOds = Practice,
            Demographics = new Proto.Demographics
            {
                Name = new Proto.HumanName { Family = NewPatient.Name.Family, Given = { NewPatient.Name.Given }, Prefix = NewPatient.Name.Prefix },
                BirthDate = NewPatient.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                Gender = NewPatient.Gender,
                Address = new Proto.Address { Line = { NewPatient.Address!.Lines }, City = NewPatient.Address.City, PostalCode = NewPatient.Address.PostalCode },
                Telecom = { NewPatient.Telecom.Select(t => new Proto.ContactPoint { System = t.System, Value = t.Value, Use = t.Use }) },
            },
        };
        var reply = await client.RegisterPatientAsync(request, ProvenanceHeaders);
        if (reply.Version != 0)
            throw new InvalidOperationException($"A new patient's record should be at version 0, not {reply.Version}.");
    };

    private static Func<Task> RegisterByAppends(IEventStore store, NhsNumberSequence nhsNumbers) => async () =>
    {
        var commandId = Guid.NewGuid();
        var metadata = MetadataFor(commandId);
        var patientId = DerivedIds.Patient(commandId);
        var nhsNumber = nhsNumbers.Next();
        await store.AppendAsync(RecordStreams.NhsNumberReservation(nhsNumber), ExpectedVersion.NoStream,
            [Registry.ToEventData(DerivedIds.NhsNumberReservation(commandId), new NhsNumberReserved(nhsNumber.Value, patientId.Value), metadata)]);
        await store.AppendAsync(patientId.StreamName, ExpectedVersion.NoStream,
            [Registry.ToEventData(DerivedIds.Event(commandId, 0), new PatientRegistered(patientId.Value, nhsNumber.Value, NewPatient, Practice), metadata)]);
    };

    private static Func<Task> ConsultOverGrpc(Proto.PatientRecord.PatientRecordClient client, PatientCursor patients) => async () =>
    {
        var index = patients.Next();
        var start = DateTimeOffset.UtcNow.AddMinutes(-20);
        var request = new Proto.RecordConsultationRequest
        {
            CommandId = Guid.NewGuid().ToString(),
            PatientId = patients.Roster.Ids[index].ToString(),
            ExpectedVersion = patients.Roster.Versions[index],
            Start = Timestamp.FromDateTimeOffset(start),
            End = Timestamp.FromDateTimeOffset(start.AddMinutes(10)),
            Practitioner = new Proto.Practitioner { Id = Clinician.Id, Name = Clinician.Name, Role = Clinician.Role },
            ServiceProviderOds = Practice,
            Mode = "face-to-face",
            Reason = ToProto(Hypertension),
            Entries =
            {
                new Proto.ConsultationEntry
                {
                    Observation = new Proto.Observation
                    {
                        Code = ToProto(BloodPressure),
                        Components =
                        {
                            new Proto.ObservationComponent { Code = ToProto(Systolic), Value = new Proto.Quantity { Value = "142", Unit = "mm[Hg]" } },
                            new Proto.ObservationComponent { Code = ToProto(Diastolic), Value = new Proto.Quantity { Value = "91", Unit = "mm[Hg]" } },
                        },
                    },
                },
                new Proto.ConsultationEntry
                {
                    Observation = new Proto.Observation { Code = ToProto(BodyWeight), Value = new Proto.Quantity { Value = "72.5", Unit = "kg" } },
                },
                new Proto.ConsultationEntry { Note = new Proto.Note { Text = NoteText } },
            },
        };
        var reply = await client.RecordConsultationAsync(request, ProvenanceHeaders);
        if (reply.Version != request.ExpectedVersion + EventsOf(CommandKind.RecordConsultation))
            throw new InvalidOperationException($"RecordConsultation moved the record from {request.ExpectedVersion} to {reply.Version}, " +
                $"not by the {EventsOf(CommandKind.RecordConsultation)} events the raw appends write.");
        patients.Roster.Versions[index] = reply.Version;
    };

    private static Func<Task> ConsultByAppend(IEventStore store, PatientCursor patients) => async () =>
    {
        var index = patients.Next();
        var commandId = Guid.NewGuid();
        var encounterId = DerivedIds.Encounter(commandId);
        var start = DateTimeOffset.UtcNow.AddMinutes(-20);
        object[] events =
        [
            new ConsultationRecorded(encounterId, start, start.AddMinutes(10), Clinician, Practice, "face-to-face", Hypertension),
            new ObservationRecorded(DerivedIds.Entry(commandId, 0), encounterId, BloodPressure, start, null,
                [new ObservationComponent(Systolic, new Quantity(142, "mm[Hg]")), new ObservationComponent(Diastolic, new Quantity(91, "mm[Hg]"))]),
            new ObservationRecorded(DerivedIds.Entry(commandId, 1), encounterId, BodyWeight, start, new Quantity(72.5m, "kg"), []),
            new NoteWritten(DerivedIds.Entry(commandId, 2), encounterId, NoteText),
        ];
        var metadata = MetadataFor(commandId);
        var result = await store.AppendAsync(new PatientId(patients.Roster.Ids[index]).StreamName,
            ExpectedVersion.Exact(patients.Roster.Versions[index]),
            events.Select((e, i) => Registry.ToEventData(DerivedIds.Event(commandId, i), e, metadata)).ToList());
        patients.Roster.Versions[index] = result.NextExpectedVersion;
    };

    /// <summary>What the command side writes for the provenance headers above (causation and, absent one, correlation = the command id).</summary>
    private static EventMetadata MetadataFor(Guid commandId) => new()
    {
        UserId = Clinician.Id, Role = Clinician.Role, OrganisationOds = Practice, ClientId = "chronicle-benchmark", Reason = "benchmark",
        CorrelationId = commandId.ToString("D"), CausationId = commandId.ToString("D"),
    };

    private static Proto.Coding ToProto(Coding coding) => new() { System = coding.System, Code = coding.Code, Display = coding.Display };

    /// <summary>Patients <c>first</c>, <c>first + step</c>, ... of the roster's first <c>count</c>, round and round.</summary>
    private sealed class PatientCursor(PatientRoster roster, int first, int step, int count)
    {
        private readonly int _first = first;
        private readonly int _count = Math.Min(count, roster.Count);
        private int _next = first;

        public PatientRoster Roster => roster;

        public int Next()
        {
            var index = _next;
            _next = _next + step < _count ? _next + step : _first;
            return index;
        }
    }

    /// <summary>Valid NHS numbers 999 000 000x, 999 000 001x, ...: the never-issued range, each handed out once.</summary>
    private sealed class NhsNumberSequence
    {
        private int _last = -1;

        public NhsNumber Next()
        {
            while (true)
            {
                var prefix = "999" + Interlocked.Increment(ref _last).ToString("D6", CultureInfo.InvariantCulture);
                for (var check = 0; check <= 9; check++)
                {
                    if (NhsNumber.TryParse(prefix + check.ToString(CultureInfo.InvariantCulture), out var number))
                        return number;
                }
            }
        }
    }

    /// <summary>One gRPC channel (one HTTP/2 connection) per client.</summary>
    private sealed class GrpcClients(Uri address, int count) : IDisposable
    {
        private readonly GrpcChannel[] _channels = Enumerable.Range(0, count)
            .Select(_ => GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false, UseProxy = false },
            }))
            .ToArray();

        public Proto.PatientRecord.PatientRecordClient this[int index] => new(_channels[index]);

        public void Dispose()
        {
            foreach (var channel in _channels)
                channel.Dispose();
        }
    }
}
