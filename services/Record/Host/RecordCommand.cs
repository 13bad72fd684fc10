using System.Globalization;

namespace Chronicle.Record.Host;

/// <summary>
/// What the command line asks for: the verb and its options. Every other argument is configuration
/// (<c>--Chronicle:Storage=postgres</c>, <c>--ConnectionStrings:Record=...</c>) and goes to the host's configuration.
/// </summary>
public abstract record RecordCommand(IReadOnlyList<string> ConfigurationArgs)
{
    public const string Usage = """
        Usage:
          Chronicle.Record [serve] [--demo N] [settings]
              Serve the Record: FHIR R4 REST (HTTP/1.1) and gRPC commands (h2c). --demo N first stores N synthetic
              patients if the store is empty, and prints example URLs.
          Chronicle.Record generate --patients N [--seed S] [--today yyyy-MM-dd] [settings]
              Store N synthetic patients' histories. The same seed adds nothing the second time.
          Chronicle.Record rebuild --projection NAME [settings]
              Replay the whole log into fresh tables of the projection NAME (record-fhir) and swap them in, while a
              running Record keeps serving reads from the live ones.

        Settings (appsettings.json, environment variables such as Chronicle__Storage, or arguments):
          --Chronicle:Storage=sqlite|postgres          default sqlite
          --Chronicle:DataDirectory=PATH               SQLite files; default ./data/record
          --ConnectionStrings:Record=CONNECTION        PostgreSQL, e.g. "Host=localhost;Database=chronicle_record;Username=chronicle"
          --Chronicle:Ports:Fhir=5100                  0 picks a free port
          --Chronicle:Ports:Grpc=5101                  0 picks a free port
          --Chronicle:ListenAnyIp=false                true listens on every interface (containers)
          --Chronicle:ReadYourWritesWait=00:00:05      how long a command reply waits for the FHIR read model
          --Chronicle:Auditing:SigningKey=PEM          the key audit entries are signed with (a PEM path or text); without
                                                       one, a development key in the data directory (required under Dapr)
        """;

    /// <exception cref="RecordConfigurationException">The verb or one of its options is unknown or malformed.</exception>
    public static RecordCommand Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var hasVerb = args.Count > 0 && IsWord(args[0]);
        var verb = hasVerb ? args[0].ToLowerInvariant() : "serve";
        var rest = hasVerb ? args.Skip(1).ToList() : args;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var configuration = new List<string>();
        for (var i = 0; i < rest.Count; i++)
        {
            var arg = rest[i];
            if (arg is "--help" or "-h" or "-?")
                return new HelpCommand();
            var (name, inlineValue) = SplitOption(arg);
            if (name is not ("--demo" or "--patients" or "--seed" or "--today" or "--projection"))
            {
                configuration.Add(arg);
                continue;
            }

            var value = inlineValue ?? (i + 1 < rest.Count ? rest[++i] : throw new RecordConfigurationException($"{name} needs a value."));
            options[name] = value;
        }

        return verb switch
        {
            "serve" => Serve(options, configuration),
            "generate" => Generate(options, configuration),
            "rebuild" => Rebuild(options, configuration),
            "help" => new HelpCommand(),
            _ => throw new RecordConfigurationException($"Unknown command '{args[0]}'. Use 'serve' (the default), 'generate' or 'rebuild'; --help lists the options."),
        };
    }

    private static ServeCommand Serve(Dictionary<string, string> options, List<string> configuration)
    {
        RejectOthers(options, "serve", "--demo");
        return new ServeCommand(options.TryGetValue("--demo", out var demo) ? Count("--demo", demo) : 0, configuration);
    }

    private static RebuildCommand Rebuild(Dictionary<string, string> options, List<string> configuration)
    {
        RejectOthers(options, "rebuild", "--projection");
        return options.TryGetValue("--projection", out var projection) && projection.Length > 0
            ? new RebuildCommand(projection, configuration)
            : throw new RecordConfigurationException("rebuild needs --projection NAME (the projection to rebuild, e.g. record-fhir).");
    }

    private static GenerateCommand Generate(Dictionary<string, string> options, List<string> configuration)
    {
        RejectOthers(options, "generate", "--patients", "--seed", "--today");
        if (!options.TryGetValue("--patients", out var patients))
            throw new RecordConfigurationException("generate needs --patients N (how many synthetic patients to store).");
        var seed = 1;
        if (options.TryGetValue("--seed", out var seedText) && !int.TryParse(seedText, NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
            throw new RecordConfigurationException($"--seed must be a whole number; it is '{seedText}'.");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        if (options.TryGetValue("--today", out var todayText)
            && !DateOnly.TryParseExact(todayText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out today))
            throw new RecordConfigurationException($"--today must be a date as yyyy-MM-dd; it is '{todayText}'.");
        return new GenerateCommand(Count("--patients", patients), seed, today, configuration);
    }

    private static void RejectOthers(Dictionary<string, string> options, string verb, params string[] allowed)
    {
        if (options.Keys.FirstOrDefault(name => !allowed.Contains(name)) is { } other)
            throw new RecordConfigurationException($"{other} does not go with '{verb}'; --help lists the options.");
    }

    private static int Count(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new RecordConfigurationException($"{name} must be a number of patients (0 or more); it is '{text}'.");

    private static (string Name, string? Value) SplitOption(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (arg, null) : (arg[..equals], arg[(equals + 1)..]);
    }

    // A verb is a bare word; "Chronicle:Storage=postgres" without dashes is configuration.
    private static bool IsWord(string arg) => arg.Length > 0 && arg.All(char.IsAsciiLetter);
}

public sealed record ServeCommand(int DemoPatients, IReadOnlyList<string> ConfigurationArgs) : RecordCommand(ConfigurationArgs);

public sealed record GenerateCommand(int Patients, int Seed, DateOnly Today, IReadOnlyList<string> ConfigurationArgs) : RecordCommand(ConfigurationArgs);

public sealed record RebuildCommand(string Projection, IReadOnlyList<string> ConfigurationArgs) : RecordCommand(ConfigurationArgs);

public sealed record HelpCommand() : RecordCommand([]);
