using System.Diagnostics;

namespace Chronicle.Testing;

/// <summary>
/// How busy the machine was while the benchmark ran, from Linux pressure stall information: the share of
/// wall time in which some task waited for CPU or for I/O. Other processes compete for the same cores
/// and disk, and high values mean noisy numbers.
/// </summary>
public sealed class BackgroundLoad
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly long? _cpuStallMicroseconds = StallMicroseconds("cpu");
    private readonly long? _ioStallMicroseconds = StallMicroseconds("io");
    private readonly string _loadAverage = LoadAverage();

    public string Describe()
    {
        var elapsedMicroseconds = Stopwatch.GetElapsedTime(_started).TotalMicroseconds;
        return $"Machine load during the run: CPU pressure {Share(_cpuStallMicroseconds, StallMicroseconds("cpu"), elapsedMicroseconds)}, " +
            $"I/O pressure {Share(_ioStallMicroseconds, StallMicroseconds("io"), elapsedMicroseconds)} of wall time with some task stalled " +
            $"(/proc/pressure); load average {_loadAverage} at start, {LoadAverage()} at end";
    }

    private static string Share(long? before, long? after, double elapsedMicroseconds) =>
        before is { } b && after is { } a ? $"{(a - b) / elapsedMicroseconds:P0}" : "unknown";

    private static long? StallMicroseconds(string resource)
    {
        var path = $"/proc/pressure/{resource}";
        if (!File.Exists(path))
            return null;
        var some = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("some ", StringComparison.Ordinal));
        var total = some?.Split(' ').FirstOrDefault(f => f.StartsWith("total=", StringComparison.Ordinal));
        return total is null ? null : long.Parse(total["total=".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg")
        ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3))
        : "unknown";
}
