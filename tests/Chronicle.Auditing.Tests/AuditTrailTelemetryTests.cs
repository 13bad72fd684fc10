using System.Diagnostics;
using System.Diagnostics.Metrics;
using Chronicle.EventStore;
using Chronicle.Testing;

namespace Chronicle.Auditing.Tests;

/// <summary>
/// The audit trail carries each request's trace with its entry (so the entry's relay and chaining join the request's
/// trace) and reports what each durable write cost, over a real SQLite event store.
/// </summary>
[Collection(AuditTrailTelemetryCollection.Name)]
public sealed class AuditTrailTelemetryTests : IAsyncLifetime
{
    private const string RequestsSource = "Chronicle.Auditing.Tests.Requests";
    private static readonly ActivitySource Requests = new(RequestsSource);
    private TestStorage _storage = null!;

    public async Task InitializeAsync() => _storage = await TestStorage.CreateAsync(StorageBackend.Sqlite, new() { Name = "audit-telemetry" });

    [Fact]
    public async Task GivenEntriesRecordedInsideTwoRequestsTraces_WhenWritten_ThenEachOutboxEventCarriesItsOwnRequestsTraceParent()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RequestsSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var trail = new EventStoreAuditTrail(_storage.Events);
        var first = Entry();
        var second = Entry();
        var untraced = Entry();

        string firstTrace, secondTrace;
        using (var request = Requests.StartActivity("GET Patient/p-1"))
        {
            firstTrace = request!.Id!;
            await trail.RecordAsync(first);
        }

        using (var request = Requests.StartActivity("GET Patient/p-2"))
        {
            secondTrace = request!.Id!;
            await trail.RecordAsync(second);
        }

        await trail.RecordAsync(untraced);

        var stored = (await _storage.Events.ReadStreamAsync(EventStoreAuditTrail.OutboxStream, StreamReadOptions.Forwards)).ToDictionary(e => e.EventId);
        Assert.Equal(firstTrace, stored[first.EntryId].Metadata.TraceParent);
        Assert.Equal(secondTrace, stored[second.EntryId].Metadata.TraceParent);
        Assert.Null(stored[untraced.EntryId].Metadata.TraceParent);
        Assert.NotEqual(firstTrace, secondTrace);
    }

    [Fact]
    public async Task GivenAMeterListener_WhenEntriesAreWritten_ThenEachFlushReportsItsDurationAndEntryCount()
    {
        var durations = new List<double>();
        var sizes = new List<int>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AuditingTelemetry.Name)
                listener.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "chronicle.audit.trail.flush.duration")
                lock (durations) durations.Add(value);
        });
        meters.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "chronicle.audit.trail.flush.batch_size")
                lock (sizes) sizes.Add(value);
        });
        meters.Start();
        await using var trail = new EventStoreAuditTrail(_storage.Events);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => trail.RecordAsync(Entry())));

        lock (sizes)
        {
            Assert.Equal(20, sizes.Sum());
            Assert.Equal(sizes.Count, durations.Count);
            Assert.All(durations, d => Assert.True(d >= 0));
        }
    }

    private static AuditEntry Entry() => new()
    {
        EntryId = Guid.CreateVersion7(), OccurredAt = DateTimeOffset.UtcNow, Service = "record", Action = AuditAction.Read, Outcome = 200,
        PatientId = "p-1", ResourceType = "Patient", ResourceId = "p-1",
    };

    public async Task DisposeAsync() => await _storage.DisposeAsync();
}

/// <summary>
/// Run alone: a meter listener hears the flushes of every audit trail in the process, so another test's trail writing at
/// the same time would be counted too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AuditTrailTelemetryCollection
{
    public const string Name = "audit-trail-telemetry";
}
