using System.Globalization;

namespace Chronicle.Testing;

/// <summary>Reads option values for benchmark command lines; a bad value is an <see cref="ArgumentException"/> that ends with the usage text.</summary>
public static class BenchmarkArguments
{
    /// <summary>The value after the option at <paramref name="index"/> - 1.</summary>
    public static string Value(string[] args, int index, string usage)
    {
        ArgumentNullException.ThrowIfNull(args);
        return index < args.Length ? args[index] : throw new ArgumentException($"Option '{args[index - 1]}' needs a value.\n{usage}");
    }

    public static double Number(string[] args, int index, string usage) =>
        double.TryParse(Value(args, index, usage), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"Option '{args[index - 1]}' needs a number, not '{args[index]}'.\n{usage}");
}
