using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Chronicle.EventStore.Tests;

/// <summary>
/// What the store tells an operator (OpenTelemetry or dotnet-counters listening): a span per append, tagged with its
/// backend, stream category and size, failed when refused; append latency and batch size as metrics; and the caller's
/// trace context stored with the events, so what they cause later joins the request's trace.
/// </summary>
public abstract class EventStoreTelemetryTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, string? Backend, string? Outcome)> _measurements = new();
    private ActivityListener? _activities;
    private MeterListener? _meters;
    private IEventStore? _store;

    protected abstract string Backend { get; }

    protected abstract Task<IEventStore> CreateStoreAsync();

    private IEventStore Store => _store!;

    public async Task InitializeAsync()
    {
        _activities = new ActivityListener
        {
            ShouldListenTo = s => s.Name == EventStoreTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EventStoreTelemetry.Name)
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _meters.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _meters.Start();
        _store = await CreateStoreAsync();
    }

    public async Task DisposeAsync()
    {
        _activities?.Dispose();
        _meters?.Dispose();
        if (_store is not null)
            await _store.DisposeAsync();
    }

    [Fact]
    public async Task GivenAListener_WhenEventsAreAppended_ThenTheAppendIsASpanAndItsSizeAndLatencyAreMeasured()
    {
        var category = "telemetry" + Guid.NewGuid().ToString("N");

        await Store.AppendAsync($"{category}-1", ExpectedVersion.NoStream, TestEvents.Batch(17));

        var span = Assert.Single(SpansOf(category));
        Assert.Equal(("eventstore.append", Backend, 17, ActivityStatusCode.Unset),
            (span.OperationName, span.GetTagItem("db.system.name"), span.GetTagItem("chronicle.eventstore.batch_size"), span.Status));
        Assert.Contains(_measurements, m => m == ("chronicle.eventstore.append.batch_size", 17, Backend, "ok"));
        Assert.Contains(_measurements, m => m.Instrument == "chronicle.eventstore.append.duration" && m.Backend == Backend && m.Value >= 0);
    }

    [Fact]
    public async Task GivenAListener_WhenAnAppendIsRefused_ThenItsSpanFailsAndItIsMeasuredAsAnError()
    {
        var category = "telemetry" + Guid.NewGuid().ToString("N");
        await Store.AppendAsync($"{category}-1", ExpectedVersion.NoStream, TestEvents.Batch(1));

        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => Store.AppendAsync($"{category}-1", ExpectedVersion.NoStream, TestEvents.Batch(19)));

        Assert.Equal([ActivityStatusCode.Unset, ActivityStatusCode.Error], SpansOf(category).Select(s => s.Status));
        Assert.Contains(_measurements, m => m == ("chronicle.eventstore.append.batch_size", 19, Backend, "error"));
    }

    [Fact]
    public async Task GivenTheCallersTraceContextInTheMetadata_WhenAppended_ThenItIsStoredWithTheEvents()
    {
        const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var stream = TestEvents.NewStream();
        var events = TestEvents.Batch(2).Select(e => e with { Metadata = e.Metadata with { TraceParent = traceParent } }).ToArray();

        await Store.AppendAsync(stream, ExpectedVersion.NoStream, events);

        Assert.All(await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards), e => Assert.Equal(traceParent, e.Metadata.TraceParent));
    }

    private List<Activity> SpansOf(string category) =>
        [.. _spans.Where(s => Equals(s.GetTagItem("chronicle.stream.category"), category)).OrderBy(s => s.StartTimeUtc)];

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? backend = null, outcome = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "db.system.name")
                backend = tag.Value as string;
            else if (tag.Key == "chronicle.outcome")
                outcome = tag.Value as string;
        }

        _measurements.Enqueue((instrument.Name, value, backend, outcome));
    }
}

public sealed class SqliteEventStoreTelemetryTests : EventStoreTelemetryTests, IDisposable
{
    private readonly SqliteFiles _files = new();

    protected override string Backend => "sqlite";

    protected override async Task<IEventStore> CreateStoreAsync() => await _files.CreateStoreAsync();

    public void Dispose() => _files.Dispose();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresEventStoreTelemetryTests(PostgresFixture postgres) : EventStoreTelemetryTests
{
    protected override string Backend => "postgresql";

    protected override async Task<IEventStore> CreateStoreAsync() => await postgres.CreateStoreAsync();
}
