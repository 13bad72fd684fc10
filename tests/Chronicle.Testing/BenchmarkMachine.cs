using System.Runtime.InteropServices;

namespace Chronicle.Testing;

/// <summary>What a benchmark report says about the machine it ran on.</summary>
public static class BenchmarkMachine
{
    /// <summary>Cores, CPU model, OS and runtime, e.g. "2 logical cores (AMD EPYC ...), Ubuntu 24.04 X64, .NET 10.0.0".</summary>
    public static string Describe() =>
        $"{Environment.ProcessorCount} logical cores ({CpuModel()}), {RuntimeInformation.OSDescription} " +
        $"{RuntimeInformation.OSArchitecture}, {RuntimeInformation.FrameworkDescription}";

    private static string CpuModel()
    {
        const string prefix = "model name";
        return File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : RuntimeInformation.ProcessArchitecture.ToString();
    }
}
