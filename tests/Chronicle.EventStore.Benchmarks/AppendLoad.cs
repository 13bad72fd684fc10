using Chronicle.Testing;

namespace Chronicle.EventStore.Benchmarks;

/// <summary>Throughput and per-call latency over all measured windows of one side of a case.</summary>
internal sealed record AppendMeasurement(long Appends, long Events, TimeSpan Elapsed, double P50Milliseconds, double P99Milliseconds)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;

    public static AppendMeasurement Combine(IReadOnlyList<LatencyWindow> windows, int eventsPerAppend)
    {
        var calls = LatencySummary.Combine(windows);
        return new AppendMeasurement(calls.Calls, calls.Calls * eventsPerAppend, calls.Elapsed, calls.P50Milliseconds, calls.P99Milliseconds);
    }
}

/// <summary>
/// Drives a set of writers: each appends back to back on its own stream through a lead-in and then a measured
/// window. An append counts when it completes inside the window; its latency is the whole call.
/// </summary>
internal static class AppendLoad
{
    public static Task<LatencyWindow> RunAsync(IReadOnlyList<IAppendWriter> writers, TimeSpan leadIn, TimeSpan window) =>
        ClosedLoop.RunAsync(writers.Select(w => (Func<Task>)(() => w.AppendAsync(CancellationToken.None))).ToList(), leadIn, window);

    /// <summary>Appends a fixed number of events as fast as the writers go (used to fill the log before catch-up).</summary>
    public static async Task FillAsync(IAppendTarget target, int totalEvents, int writers, int eventsPerAppend)
    {
        var remaining = (totalEvents + eventsPerAppend - 1) / eventsPerAppend;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async i =>
        {
            await Task.Yield();
            var writer = target.CreateWriter(i, eventsPerAppend);
            while (Interlocked.Decrement(ref remaining) >= 0)
                await writer.AppendAsync(CancellationToken.None);
        }));
    }
}
