using System.Diagnostics;

namespace Chronicle.Testing;

/// <summary>Per-call latencies (Stopwatch ticks) of the calls that completed inside one measured window.</summary>
public sealed record LatencyWindow(long[] Latencies, TimeSpan Elapsed);

/// <summary>Throughput and per-call latency over all measured windows of one side of a comparison.</summary>
public sealed record LatencySummary(long Calls, TimeSpan Elapsed, double P50Milliseconds, double P99Milliseconds)
{
    public double CallsPerSecond => Calls / Elapsed.TotalSeconds;

    public static LatencySummary Combine(IReadOnlyList<LatencyWindow> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var latencies = windows.SelectMany(w => w.Latencies).ToArray();
        Array.Sort(latencies);
        return new LatencySummary(
            Calls: latencies.Length,
            Elapsed: windows.Aggregate(TimeSpan.Zero, (total, w) => total + w.Elapsed),
            P50Milliseconds: PercentileMilliseconds(latencies, 0.50),
            P99Milliseconds: PercentileMilliseconds(latencies, 0.99));
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double PercentileMilliseconds(long[] sorted, double percentile)
    {
        if (sorted.Length == 0)
            return double.NaN;
        var rank = (int)Math.Ceiling(percentile * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }
}

/// <summary>
/// A closed-loop load: each caller calls back to back through a lead-in and then a measured window. A call counts
/// when it completes inside the window; its latency is the whole call.
/// </summary>
public static class ClosedLoop
{
    public static async Task<LatencyWindow> RunAsync(IReadOnlyList<Func<Task>> callers, TimeSpan leadIn, TimeSpan window)
    {
        ArgumentNullException.ThrowIfNull(callers);
        var measureFrom = Stopwatch.GetTimestamp() + ToTimestampTicks(leadIn);
        var measureUntil = measureFrom + ToTimestampTicks(window);
        var perCaller = await Task.WhenAll(callers.Select(c => RunCallerAsync(c, measureFrom, measureUntil))).ConfigureAwait(false);
        return new LatencyWindow(perCaller.SelectMany(l => l).ToArray(), window);
    }

    private static async Task<List<long>> RunCallerAsync(Func<Task> call, long measureFrom, long measureUntil)
    {
        await Task.Yield();
        var latencies = new List<long>(capacity: 4096);
        while (Stopwatch.GetTimestamp() < measureUntil)
        {
            var started = Stopwatch.GetTimestamp();
            await call().ConfigureAwait(false);
            var completed = Stopwatch.GetTimestamp();
            if (completed >= measureFrom && completed < measureUntil)
                latencies.Add(completed - started);
        }

        return latencies;
    }

    private static long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
