using System.Globalization;

namespace Chronicle.Launcher.Platform;

/// <summary>The launcher's command line.</summary>
public sealed record LauncherOptions
{
    public const int DefaultGatewayPort = 8080;

    public const string Usage = """
        Usage: dotnet run -c Release --project services/Launcher [-- [--demo] [--data DIR] [--port N] [--verbose]]
          Runs every built Chronicle service on this machine, each as its own process with its own SQLite data under
          DIR, the direct transport between them, and one FHIR gateway in front. Ctrl+C stops everything.
          --demo        seed demo data into empty stores and print demo credentials and example requests
          --data DIR    where each service keeps its data (DIR/record, ...) and its log (DIR/logs); default ./data
          --port N      the FHIR gateway's port on localhost; default 8080, 0 picks a free one
          --verbose     show every line the services print, not only the important ones (all are in DIR/logs)
        """;

    public bool Demo { get; init; }

    public string DataDirectory { get; init; } = Path.GetFullPath("data");

    public int GatewayPort { get; init; } = DefaultGatewayPort;

    public bool Verbose { get; init; }

    public bool Help { get; init; }

    /// <exception cref="FormatException">An unknown option or a malformed value; the message says which.</exception>
    public static LauncherOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new LauncherOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = Split(args[i]);
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new FormatException($"{name} needs a value."));
            options = name switch
            {
                "--demo" => options with { Demo = true },
                "--verbose" => options with { Verbose = true },
                "--help" or "-h" or "-?" => options with { Help = true },
                "--data" => options with { DataDirectory = Path.GetFullPath(NonEmpty(name, Value())) },
                "--port" => options with { GatewayPort = Port(Value()) },
                _ => throw new FormatException($"Unknown option '{args[i]}'."),
            };
        }

        return options;
    }

    private static (string Name, string? Value) Split(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    private static string NonEmpty(string name, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new FormatException($"{name} needs a folder.") : value;

    private static int Port(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65_535
            ? port
            : throw new FormatException($"--port must be a TCP port (0 to 65535, 0 picks a free one); it is '{text}'.");
}
