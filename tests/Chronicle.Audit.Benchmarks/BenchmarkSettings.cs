using System.Globalization;

namespace Chronicle.Audit.Benchmarks;

/// <summary>
/// The run's knobs: <c>--quick</c> for a smoke run, <c>--reads-only</c> to measure read latency alone, <c>--output PATH</c>
/// to keep the Markdown report.
/// </summary>
internal sealed record BenchmarkSettings(
    IReadOnlyList<string> Arguments, string? OutputPath, int Patients, TimeSpan Window, int Rounds, IReadOnlyList<int> Concurrency,
    int IngestEntries, int DeliveredEntries, bool ReadsOnly)
{
    public static BenchmarkSettings Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        var readsOnly = args.Contains("--reads-only");
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--output")
                output = i + 1 < args.Length ? args[++i] : throw new ArgumentException("--output needs a path.");
            else if (args[i] is not ("--quick" or "--reads-only"))
                throw new ArgumentException($"Unknown option {args[i]}. Options: --quick, --reads-only, --output PATH.");
        }

        return quick
            ? new BenchmarkSettings(args, output, 20, TimeSpan.FromSeconds(0.5), 2, [1, 8, 32], 2_000, 300, readsOnly)
            : new BenchmarkSettings(args, output, 200, TimeSpan.FromSeconds(2), 6, [1, 8, 32], 20_000, 2_000, readsOnly);
    }

    public int Flushes => Patients * 10;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Patients} synthetic patients; read windows of {Window.TotalSeconds:0.##} s, {Rounds} per mode, modes alternating; " +
        $"ingest {IngestEntries:N0} entries; {DeliveredEntries:N0} deliveries through the app callback");
}

/// <summary>Latencies of one mode, in order of arrival.</summary>
internal sealed class LatencySample
{
    private readonly List<double> _milliseconds = [];

    public int Count => _milliseconds.Count;

    public void Add(TimeSpan elapsed)
    {
        lock (_milliseconds)
            _milliseconds.Add(elapsed.TotalMilliseconds);
    }

    public void AddRange(LatencySample other)
    {
        lock (_milliseconds)
            _milliseconds.AddRange(other._milliseconds);
    }

    /// <summary>Nearest-rank percentile.</summary>
    public double Percentile(double p)
    {
        var sorted = _milliseconds.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
