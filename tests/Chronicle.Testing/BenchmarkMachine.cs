using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Chronicle.Testing;

/// <summary>What a benchmark report says about the machine, and the latency arithmetic benchmarks share.</summary>
public static class BenchmarkMachine
{
    /// <summary>Cores, CPU model, OS and runtime, e.g. "2 logical cores (AMD EPYC ...), Ubuntu 24.04 X64, .NET 10.0.0".</summary>
    public static string Describe() =>
        $"{Environment.ProcessorCount} logical cores ({CpuModel()}), {RuntimeInformation.OSDescription} " +
        $"{RuntimeInformation.OSArchitecture}, {RuntimeInformation.FrameworkDescription}";

    /// <summary>Nearest-rank percentile of Stopwatch tick durations sorted ascending, in milliseconds; NaN when empty.</summary>
    public static double PercentileMilliseconds(long[] sortedTicks, double percentile)
    {
        ArgumentNullException.ThrowIfNull(sortedTicks);
        if (sortedTicks.Length == 0)
            return double.NaN;
        var rank = (int)Math.Ceiling(percentile * sortedTicks.Length) - 1;
        return sortedTicks[Math.Clamp(rank, 0, sortedTicks.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }

    private static string CpuModel()
    {
        const string prefix = "model name";
        return File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : RuntimeInformation.ProcessArchitecture.ToString();
    }
}
