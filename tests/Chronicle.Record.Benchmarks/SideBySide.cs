using Chronicle.Testing;

namespace Chronicle.Record.Benchmarks;

/// <summary>One case measured on Chronicle and on its baseline. Latency ratios are Chronicle/baseline (lower is better); the throughput ratio too (higher is better).</summary>
internal sealed record SideBySide(LatencySummary Chronicle, LatencySummary Baseline)
{
    private static readonly TimeSpan LeadIn = TimeSpan.FromSeconds(0.25);

    public double P50Ratio => Chronicle.P50Milliseconds / Baseline.P50Milliseconds;
    public double P99Ratio => Chronicle.P99Milliseconds / Baseline.P99Milliseconds;
    public double ThroughputRatio => Chronicle.CallsPerSecond / Baseline.CallsPerSecond;

    /// <summary>
    /// Runs both sides' callers in alternating windows (Chronicle, baseline, baseline, Chronicle, ...), so background
    /// load drifting over the run hits both alike. Each side warms up before its first window.
    /// </summary>
    public static async Task<SideBySide> MeasureAsync(IReadOnlyList<Func<Task>> chronicle, IReadOnlyList<Func<Task>> baseline, BenchmarkSettings settings)
    {
        var chronicleWindows = new List<LatencyWindow>();
        var baselineWindows = new List<LatencyWindow>();
        for (var round = 0; round < settings.Rounds; round++)
        {
            var leadIn = round == 0 ? settings.Warmup : LeadIn;
            var chronicleFirst = round % 2 == 0;
            foreach (var chronicleTurn in new[] { chronicleFirst, !chronicleFirst })
            {
                var window = await ClosedLoop.RunAsync(chronicleTurn ? chronicle : baseline, leadIn, settings.Window);
                (chronicleTurn ? chronicleWindows : baselineWindows).Add(window);
            }
        }

        return new SideBySide(LatencySummary.Combine(chronicleWindows), LatencySummary.Combine(baselineWindows));
    }
}
