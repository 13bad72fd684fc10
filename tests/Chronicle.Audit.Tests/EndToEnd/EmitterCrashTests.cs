using Grpc.Core;
using Hl7.Fhir.Model;
using Proto = Chronicle.Contracts.Record.V1;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Audit.Tests.EndToEnd;

/// <summary>
/// Nothing acknowledged is lost, not even on a crash: a read the Record answered was audited before the answer, so when
/// the Record is killed with its entries still in its outbox (the Audit service was down, so none had been handed on),
/// the restarted Record relays every one of them, and each is chained exactly once.
/// </summary>
public abstract class EmitterCrashTests(TestStorages storage)
{
    private const int Reads = 25;

    private static readonly Dictionary<string, string> Clinician = new()
    {
        ["x-user-id"] = "G8123456", ["x-user-role"] = "GP", ["x-organisation-ods"] = "A81001", ["x-correlation-id"] = "corr-crash",
    };

    [Fact]
    public async Task GivenTheRecordKilledWithAnsweredReadsStillInItsOutbox_WhenItRestarts_ThenEveryAnsweredReadIsChainedExactlyOnce()
    {
        await using var platform = await ChroniclePlatform.StartAsync(storage);
        var patientId = await RegisterAsync(platform);
        await platform.WaitForEntriesAsync("site=record", 1);

        await platform.KillAuditAsync();
        using (var clinician = platform.RecordFhirClient(Clinician))
        {
            for (var i = 0; i < Reads; i++)
                Assert.Equal(patientId, (await clinician.ReadAsync<Patient>($"Patient/{patientId}"))!.Id);
        }

        await platform.KillRecordAsync();
        await platform.StartAuditAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var whileRecordDown = await platform.WaitForEntriesAsync("site=record&agent=G8123456", 0);

        await platform.StartRecordAsync();
        var reads = await platform.WaitForEntriesAsync("site=record&agent=G8123456", Reads);
        await Task.Delay(TimeSpan.FromSeconds(1)); // long enough for a duplicate to land, were one to be chained
        reads = await platform.WaitForEntriesAsync("site=record&agent=G8123456", Reads);
        var verification = await platform.VerifyAsync();

        Assert.Empty(whileRecordDown);
        Assert.Equal(Reads, reads.Count);
        Assert.Equal(Reads, reads.Select(e => e.GetProperty("entry").GetProperty("entryId").GetString()).Distinct().Count());
        Assert.All(reads, e =>
        {
            var entry = e.GetProperty("entry");
            Assert.Equal(("Read", 200, patientId, "corr-crash"),
                (entry.GetProperty("action").GetString(), entry.GetProperty("outcome").GetInt32(), entry.GetProperty("patientId").GetString(),
                    entry.GetProperty("correlationId").GetString()));
        });
        Assert.True(verification.GetProperty("intact").GetBoolean(), verification.GetProperty("summary").GetString());
    }

    private static async Task<string> RegisterAsync(ChroniclePlatform platform)
    {
        using var channel = platform.RecordChannel();
        var reply = await new Proto.PatientRecord.PatientRecordClient(channel).RegisterPatientAsync(new Proto.RegisterPatientRequest
        {
            CommandId = Guid.NewGuid().ToString(),
            NhsNumber = "943 476 5919",
            GeneralPracticeOds = "A81001",
            Demographics = new Proto.Demographics { Name = new Proto.HumanName { Family = "Okafor", Given = { "Jane" } }, BirthDate = "1980-04-12", Gender = "female" },
        }, new Metadata { { "x-user-id", "R5550001" }, { "x-user-role", "Receptionist" }, { "x-organisation-ods", "A81001" } });
        return reply.PatientId;
    }
}

public sealed class SqliteEmitterCrashTests(SqliteStorages storage) : EmitterCrashTests(storage), IClassFixture<SqliteStorages>;

[Collection(SharedPostgres.Collection)]
public sealed class PostgresEmitterCrashTests(PostgresStorages storage) : EmitterCrashTests(storage), IClassFixture<PostgresStorages>;
