using System.Globalization;

namespace Chronicle.ServiceDefaults;

/// <summary>
/// An option of a verb (<c>--patients 40</c>, <c>--patients=40</c>), or a switch that stands for a setting
/// (Identity's <c>--demo</c> for <c>Chronicle:Demo=true</c>). Every other argument is configuration.
/// </summary>
public sealed record ServiceOption(string Name)
{
    /// <summary>For a switch: the setting it turns on. A switch takes no value; an option without one must have a value.</summary>
    public string? SwitchesOn { get; init; }

    /// <summary>Set when the verb cannot run without the option: the sentence that says so.</summary>
    public string? RequiredMessage { get; init; }

    /// <summary>Checks the value as the command line is read; throws <see cref="ServiceConfigurationException"/> naming the problem.</summary>
    public Action<string>? Check { get; init; }

    /// <summary>An option whose value is a whole number, 0 or more, e.g. <c>--demo 20</c>.</summary>
    public static ServiceOption Count(string name, string what) => new(name)
    {
        Check = value => ReadCount(name, value, what),
    };

    /// <summary>Reads a <see cref="Count"/> option's value.</summary>
    /// <exception cref="ServiceConfigurationException">Not a whole number of 0 or more.</exception>
    public static int ReadCount(string name, string value, string what) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new ServiceConfigurationException($"{name} must be a number of {what} (0 or more); it is '{value}'.");
}

/// <summary>What the command line asks for: the verb, its options and the configuration arguments the host reads its settings from.</summary>
public sealed record ServiceCommand(string Verb, IReadOnlyDictionary<string, string> Options, IReadOnlyList<string> ConfigurationArgs)
{
    public const string Serve = "serve";
    public const string Help = "help";

    /// <summary>Serve with no options: what an in-process host started by <see cref="ServiceHost.StartAsync{TSettings}"/> runs.</summary>
    public static ServiceCommand ServeWith(IReadOnlyList<string> configurationArgs) =>
        new(Serve, new Dictionary<string, string>(StringComparer.Ordinal), configurationArgs);

    public bool IsHelp => Verb == Help;

    public string? Option(string name) => Options.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// Reads a service's command line the one way every service does: an optional verb first (a bare word; <c>serve</c> when
/// there is none), the options the service's verbs declare, <c>--help</c> anywhere, and everything else configuration
/// (<c>--Chronicle:Storage=postgres</c>, <c>ConnectionStrings:Record=...</c>).
/// </summary>
public static class ServiceCommandLine
{
    /// <exception cref="ServiceConfigurationException">The verb, or one of its options, is unknown or malformed.</exception>
    public static ServiceCommand Parse<TSettings>(IReadOnlyList<string> args, ServiceHostDefinition<TSettings> definition)
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(definition);
        var verbs = new Dictionary<string, IReadOnlyList<ServiceOption>>(StringComparer.Ordinal) { [ServiceCommand.Serve] = definition.ServeOptions };
        foreach (var verb in definition.Verbs.Where(v => !v.Standalone))
            verbs[verb.Name] = verb.Options;
        var known = verbs.Values.SelectMany(options => options).GroupBy(o => o.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var hasVerb = args.Count > 0 && IsWord(args[0]);
        var name = hasVerb ? args[0].ToLowerInvariant() : ServiceCommand.Serve;
        var rest = hasVerb ? args.Skip(1).ToList() : args;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var configuration = new List<string>();
        for (var i = 0; i < rest.Count; i++)
        {
            var arg = rest[i];
            if (arg is "--help" or "-h" or "-?")
                return new ServiceCommand(ServiceCommand.Help, options, configuration);
            var (optionName, inlineValue) = SplitOption(arg);
            if (!known.TryGetValue(optionName, out var option))
            {
                configuration.Add(arg);
                continue;
            }

            if (option.SwitchesOn is { } setting)
            {
                options[optionName] = inlineValue ?? "true";
                configuration.Add($"--{setting}={options[optionName]}");
                continue;
            }

            options[optionName] = inlineValue ?? (i + 1 < rest.Count ? rest[++i] : throw new ServiceConfigurationException($"{optionName} needs a value."));
        }

        if (name == ServiceCommand.Help)
            return new ServiceCommand(ServiceCommand.Help, options, configuration);
        if (!verbs.TryGetValue(name, out var allowed))
            throw new ServiceConfigurationException($"Unknown command '{args[0]}'. Use {VerbList(definition)}; --help lists the options.");
        if (options.Keys.FirstOrDefault(given => allowed.All(o => o.Name != given)) is { } other)
            throw new ServiceConfigurationException($"{other} does not go with '{name}'; --help lists the options.");
        foreach (var option in allowed)
        {
            if (options.TryGetValue(option.Name, out var value))
                option.Check?.Invoke(value);
            else if (option.RequiredMessage is { } required)
                throw new ServiceConfigurationException(required);
        }

        return new ServiceCommand(name, options, configuration);
    }

    /// <summary>"'serve' (the default), 'generate' or 'rebuild'".</summary>
    public static string VerbList<TSettings>(ServiceHostDefinition<TSettings> definition)
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(definition);
        var names = new[] { "'serve' (the default)" }.Concat(definition.Verbs.Select(v => $"'{v.Name}'")).ToList();
        return names.Count == 1 ? names[0] : $"{string.Join(", ", names[..^1])} or {names[^1]}";
    }

    private static (string Name, string? Value) SplitOption(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (arg, null) : (arg[..equals], arg[(equals + 1)..]);
    }

    /// <summary>A verb is a bare word; "Chronicle:Storage=postgres" without dashes is configuration.</summary>
    public static bool IsWord(string arg) => arg?.Length > 0 && arg.All(char.IsAsciiLetter);
}
