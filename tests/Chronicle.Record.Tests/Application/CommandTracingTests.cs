using System.Diagnostics;
using Chronicle.EventStore;
using Chronicle.Record.Application;
using Chronicle.Record.Tests.Grpc;
using Chronicle.Testing;
using static Chronicle.Record.Tests.Domain.Examples;

namespace Chronicle.Record.Tests.Application;

/// <summary>
/// A command's events carry the request's W3C trace, and a command re-sent in another trace is still the same command:
/// the original result, nothing stored twice, the first trace kept.
/// </summary>
public abstract class CommandTracingTests(StorageBackend storage) : IAsyncLifetime
{
    private const string FirstTrace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private const string SecondTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private TestStorage _storage = null!;

    private IEventStore Store => _storage.Events;

    public async Task InitializeAsync() => _storage = await RecordTestStorage.CreateAsync(storage);

    public async Task DisposeAsync() => await _storage.DisposeAsync();

    private static CommandContext Context(Guid commandId, string trace, long? expectedVersion = null) =>
        new(commandId, expectedVersion, new EventMetadata { UserId = "G1234567", OrganisationOds = Practice, TraceParent = trace });

    private async Task<IReadOnlyList<RecordedEvent>> LogAsync() =>
        (await Store.ReadAllAsync(LogPosition.Start, EventStoreLimits.MaxReadCount)).Where(e => ComposedRecord.IsRecordStream(e.StreamId)).ToList();

    [Fact]
    public async Task GivenCommandsStored_WhenResentInAnotherTrace_ThenTheOriginalResultsAndTheFirstTraceIsKept()
    {
        var (registration, consultation) = (Guid.NewGuid(), Guid.NewGuid());
        var registered = await new PatientRecordCommands(Store, TimeProvider.System).HandleAsync(Register(), Context(registration, FirstTrace));
        var recorded = await new PatientRecordCommands(Store, TimeProvider.System).HandleAsync(Consultation(Note(1)), Context(consultation, FirstTrace, 0));

        // Fresh handlers, as after a restart: each re-send is recognised in the stream, or by the store's idempotent append.
        var registeredAgain = await new PatientRecordCommands(Store, TimeProvider.System).HandleAsync(Register(), Context(registration, SecondTrace));
        var recordedAgain = await new PatientRecordCommands(Store, TimeProvider.System).HandleAsync(Consultation(Note(1)), Context(consultation, SecondTrace, 0));

        Assert.Equal((registered.Version, registered.LogPosition), (registeredAgain.Version, registeredAgain.LogPosition));
        Assert.Equal((recorded.Version, recorded.LogPosition), (recordedAgain.Version, recordedAgain.LogPosition));
        Assert.Equal(recorded.EntryIds, recordedAgain.EntryIds);
        var log = await LogAsync();
        Assert.Equal(4, log.Count);
        Assert.All(log, e => Assert.Equal(FirstTrace, e.Metadata.TraceParent));
    }

    [Fact]
    public async Task GivenTheSameCommand_WhenSentAtOnceInDifferentTraces_ThenOneResultAndItsEventsStoredOnce()
    {
        await new PatientRecordCommands(Store, TimeProvider.System).HandleAsync(Register(), Context(Guid.NewGuid(), FirstTrace));
        var commandId = Guid.NewGuid();

        var results = await Task.WhenAll(new[] { FirstTrace, SecondTrace, FirstTrace, SecondTrace }.Select(trace => Task.Run(() =>
            new PatientRecordCommands(Store, TimeProvider.System).HandleAsync(Consultation(Note(1), Weight(2)), Context(commandId, trace, 0)))));

        Assert.All(results, r => Assert.Equal(results[0].LogPosition, r.LogPosition));
        Assert.Equal(5, (await LogAsync()).Count);
    }

    [Fact]
    public async Task GivenCallInATrace_WhenACommandIsSentOverGrpc_ThenItsEventsCarryThatTrace()
    {
        // Requests get an Activity when something listens, as OpenTelemetry does in the host.
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(listener);
        await using var server = await RecordServer.StartAsync(storage);

        var registered = await server.Client.RegisterPatientAsync(RecordRequests.Registration(), new global::Grpc.Core.Metadata { { "traceparent", FirstTrace } });

        var stored = Assert.Single(await server.GlobalLogAsync(), e => e.EventType == "V1.PatientRegistered");
        Assert.Equal($"patient-{Guid.Parse(registered.PatientId):N}", stored.StreamId);
        Assert.StartsWith("00-0af7651916cd43dd8448eb211c80319c-", stored.Metadata.TraceParent, StringComparison.Ordinal);
    }
}

public sealed class SqliteCommandTracingTests() : CommandTracingTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresCommandTracingTests() : CommandTracingTests(StorageBackend.Postgres);
