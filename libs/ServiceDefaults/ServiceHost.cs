using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Chronicle.ServiceDefaults;

/// <summary>
/// A verb of a service's command line besides <c>serve</c>: <c>verify</c>, <c>generate</c>, later
/// <c>rebuild --projection NAME</c>. <paramref name="RunAsync"/> gets the whole command line (the verb first) and
/// returns the exit code.
/// </summary>
public sealed record ServiceVerb(string Name, string Usage, Func<string[], TextWriter, TextWriter, Task<int>> RunAsync);

/// <summary>What a service tells <see cref="ServiceHost"/> about itself; the rest is the same for every service.</summary>
public sealed class ServiceHostDefinition<TSettings>
    where TSettings : class
{
    /// <summary>The service's banner, e.g. <c>new ServiceBanner("Audit")</c>.</summary>
    public required ServiceBanner Banner { get; init; }

    /// <summary>The text <c>--help</c> prints.</summary>
    public required string Usage { get; init; }

    /// <summary>Binds and validates the settings; throws <see cref="ServiceConfigurationException"/> for one it cannot use.</summary>
    public required Func<IConfiguration, TSettings> ReadSettings { get; init; }

    /// <summary>Opens the service's own store and read models (<see cref="ServiceStorage"/>).</summary>
    public required Func<TSettings, Task<ServiceStorage>> OpenStorage { get; init; }

    /// <summary>The verbs besides <c>serve</c>.</summary>
    public IReadOnlyList<ServiceVerb> Verbs { get; init; } = [];

    /// <summary>The banner's lines once started, after the storage and listener lines the host prints itself.</summary>
    public Func<RunningServiceHost<TSettings>, IEnumerable<string>> StartedLines { get; init; } = _ => [];
}

/// <summary>
/// Runs a Chronicle service executable the one way every service does: the command line (<c>serve</c>, the default;
/// <c>--help</c>; the service's own verbs), exit codes (0; 1 failed to start; 2 a configuration problem or an unknown
/// verb, as one sentence on standard error), the banner, opening storage and settings read at start. The service's
/// compose function adds what it is made of, starting with <see cref="ServiceDefaultsExtensions.AddServiceDefaults"/> (telemetry,
/// gRPC health and reflection) and ending with <see cref="ServiceDefaultsExtensions.MapServiceDefaults"/> (health endpoints), so an
/// in-process test host built from the same compose function has them too.
/// </summary>
public static class ServiceHost
{
    public const int Succeeded = 0;
    public const int FailedToStart = 1;
    public const int ConfigurationProblem = 2;

    public static async Task<int> RunAsync<TSettings>(string[] args, ServiceHostDefinition<TSettings> definition,
        Func<WebApplicationBuilder, TSettings, WebApplication> compose)
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(compose);
        var banner = definition.Banner;
        if (args is [var first, ..] && definition.Verbs.FirstOrDefault(v => v.Name == first) is { } verb)
            return await verb.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
        if (args.Any(a => a is "--help" or "-h" or "-?" or "help"))
        {
            Console.WriteLine(definition.Usage);
            return Succeeded;
        }

        var configurationArgs = args is ["serve", .. var rest] ? rest : args;
        if (configurationArgs is [var unknown, ..] && unknown.Length > 0 && unknown.All(char.IsAsciiLetter))
        {
            await Console.Error.WriteLineAsync($"{banner.Name}: unknown command '{unknown}'. Use {VerbList(definition.Verbs)}; --help lists the options.")
                .ConfigureAwait(false);
            return ConfigurationProblem;
        }

        try
        {
            await using var host = await StartAsync(configurationArgs, definition, compose).ConfigureAwait(false);
            Console.WriteLine(banner.Line($"storage: {host.Storage.Description}"));
            foreach (var line in definition.StartedLines(host))
                Console.WriteLine(line);
            await host.App.WaitForShutdownAsync().ConfigureAwait(false);
            return Succeeded;
        }
        catch (ServiceConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"{banner.Name}: {e.Message}").ConfigureAwait(false);
            return ConfigurationProblem;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"{banner.Name} could not run: {e.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return FailedToStart;
        }
    }

    /// <summary>Opens the storage and starts the service composed by <paramref name="compose"/>, configured by <paramref name="configurationArgs"/>.</summary>
    /// <exception cref="ServiceConfigurationException">A setting cannot be used.</exception>
    public static async Task<RunningServiceHost<TSettings>> StartAsync<TSettings>(string[] configurationArgs,
        ServiceHostDefinition<TSettings> definition, Func<WebApplicationBuilder, TSettings, WebApplication> compose)
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(compose);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = configurationArgs, ContentRootPath = AppContext.BaseDirectory });
        var settings = definition.ReadSettings(builder.Configuration);
        var storage = await definition.OpenStorage(settings).ConfigureAwait(false);
        try
        {
            builder.Services.AddSingleton(settings);
            builder.Services.AddSingleton(storage.Events);
            builder.Services.AddSingleton(storage.ReadModels);
            var app = compose(builder, settings);
            await app.StartAsync().ConfigureAwait(false);
            return new RunningServiceHost<TSettings>(app, storage, settings);
        }
        catch
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static string VerbList(IReadOnlyList<ServiceVerb> verbs)
    {
        var names = new[] { "'serve' (the default)" }.Concat(verbs.Select(v => $"'{v.Name}'")).ToList();
        return names.Count == 1 ? names[0] : $"{string.Join(", ", names[..^1])} or {names[^1]}";
    }
}

/// <summary>A started service: stopping it stops the host, then closes its storage.</summary>
public sealed class RunningServiceHost<TSettings>(WebApplication app, ServiceStorage storage, TSettings settings) : IAsyncDisposable
{
    public WebApplication App { get; } = app;
    public ServiceStorage Storage { get; } = storage;
    public TSettings Settings { get; } = settings;
    public IServiceProvider Services => App.Services;
    public ServiceListeners Listeners => Services.GetRequiredService<ServiceListeners>();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        await Storage.DisposeAsync().ConfigureAwait(false);
    }
}
