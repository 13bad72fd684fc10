using System.Diagnostics;
using Chronicle.Testing;

namespace Chronicle.EventStore.Benchmarks;

/// <summary>Per-call latencies (Stopwatch ticks) of the appends that completed inside one measured window.</summary>
internal sealed record AppendWindow(long[] Latencies, TimeSpan Elapsed);

/// <summary>Throughput and per-call latency over all measured windows of one side of a case.</summary>
internal sealed record AppendMeasurement(long Appends, long Events, TimeSpan Elapsed, double P50Milliseconds, double P99Milliseconds)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;

    public static AppendMeasurement Combine(IReadOnlyList<AppendWindow> windows, int eventsPerAppend)
    {
        var latencies = windows.SelectMany(w => w.Latencies).ToArray();
        Array.Sort(latencies);
        return new AppendMeasurement(
            Appends: latencies.Length,
            Events: (long)latencies.Length * eventsPerAppend,
            Elapsed: windows.Aggregate(TimeSpan.Zero, (total, w) => total + w.Elapsed),
            P50Milliseconds: BenchmarkMachine.PercentileMilliseconds(latencies, 0.50),
            P99Milliseconds: BenchmarkMachine.PercentileMilliseconds(latencies, 0.99));
    }
}

/// <summary>
/// Drives a set of writers: each appends back to back on its own stream through a lead-in and then a measured
/// window. An append counts when it completes inside the window; its latency is the whole call.
/// </summary>
internal static class AppendLoad
{
    public static async Task<AppendWindow> RunAsync(IReadOnlyList<IAppendWriter> writers, TimeSpan leadIn, TimeSpan window)
    {
        var measureFrom = Stopwatch.GetTimestamp() + ToTimestampTicks(leadIn);
        var measureUntil = measureFrom + ToTimestampTicks(window);
        var perWriter = await Task.WhenAll(writers.Select(w => RunWriterAsync(w, measureFrom, measureUntil)));
        return new AppendWindow(perWriter.SelectMany(l => l).ToArray(), window);
    }

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

    private static async Task<List<long>> RunWriterAsync(IAppendWriter writer, long measureFrom, long measureUntil)
    {
        await Task.Yield();
        var latencies = new List<long>(capacity: 4096);
        while (Stopwatch.GetTimestamp() < measureUntil)
        {
            var started = Stopwatch.GetTimestamp();
            await writer.AppendAsync(CancellationToken.None);
            var completed = Stopwatch.GetTimestamp();
            if (completed >= measureFrom && completed < measureUntil)
                latencies.Add(completed - started);
        }

        return latencies;
    }

    private static long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
