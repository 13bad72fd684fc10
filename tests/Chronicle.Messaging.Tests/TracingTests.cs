using System.Collections.Concurrent;
using System.Diagnostics;
using Chronicle.EventStore;
using Chronicle.Testing;

namespace Chronicle.Messaging.Tests;

/// <summary>
/// Trace context rides with an event from the request that appended it to every consumer: the relay's publish is a
/// producer span in the request's trace, and the consumer's handling a consumer span under that publish, delivered one by
/// one or in bulk, over the real direct transport.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class TracingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GivenEventsAppendedInATrace_WhenRelayedAndConsumed_ThenThePublishAndEachHandlingJoinThatTrace(bool bulk)
    {
        using var spans = new SpanRecorder(MessagingTelemetry.Name);
        var request = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var traceParent = $"00-{request.TraceId}-{request.SpanId}-01";
        var workload = new RecordWorkload(patients: 3, metadata: new EventMetadata { TraceParent = traceParent });
        var expected = workload.ExpectedIntegrationEventIds();

        var run = await AtLeastOnceTests.RunAsync(StorageBackend.Sqlite, workload, faults: null,
            bulk ? new Receiving.BulkSubscribeOptions(MaxMessagesCount: 10, MaxAwaitDurationMs: 50) : null);

        Assert.Equal(expected, run.State.Applied);
        var inTrace = spans.Stopped.Where(s => s.TraceId == request.TraceId).ToList();
        var publishes = inTrace.Where(s => s.Kind == ActivityKind.Producer).ToList();
        var consumes = inTrace.Where(s => s.Kind == ActivityKind.Consumer).ToList();
        Assert.Equal(expected.Count, publishes.Count);
        Assert.All(publishes, p => Assert.Equal(request.SpanId, p.ParentSpanId));
        var publishIds = publishes.Select(p => p.SpanId).ToHashSet();
        Assert.True(consumes.Count >= expected.Count, $"{consumes.Count} consumer spans in the trace for {expected.Count} events.");
        Assert.All(consumes, c => Assert.Contains(c.ParentSpanId, publishIds));
    }
}

/// <summary>Records every span of the named source stopped while it is alive (process-wide, so tests filter by trace id).</summary>
internal sealed class SpanRecorder : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public SpanRecorder(string source)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Stopped => [.. _stopped];

    public void Dispose() => _listener.Dispose();
}
