using System.Reflection;
using System.Runtime.InteropServices;
using Chronicle.Contracts;
using Chronicle.Projections;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Chronicle.ServiceDefaults;

/// <summary>What a verb gets to work with: its command, the settings, the opened storage and, for a verb that composes the service, the app (built, not started).</summary>
public sealed class ServiceVerbContext<TSettings>
    where TSettings : class
{
    public required ServiceBanner Banner { get; init; }
    public required ServiceCommand Command { get; init; }
    public required TSettings Settings { get; init; }
    public required ServiceStorage Storage { get; init; }
    public TextWriter Output { get; init; } = Console.Out;
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>Cancelled by Ctrl+C or SIGTERM: the host then exits 130.</summary>
    public CancellationToken Interrupted { get; init; }

    /// <summary>The service as its compose function makes it, not started; set for a verb that <see cref="ServiceVerb{TSettings}.Composes"/>.</summary>
    public WebApplication? App { get; init; }
}

/// <summary>
/// A verb of a service's command line besides <c>serve</c>: <c>generate</c>, <c>verify</c>, <c>rebuild --projection NAME</c>.
/// Most run against the opened storage, some against the composed service; a <see cref="Standalone"/> verb reads the whole
/// command line itself.
/// </summary>
public sealed record ServiceVerb<TSettings>(string Name)
    where TSettings : class
{
    /// <summary>The options the verb takes.</summary>
    public IReadOnlyList<ServiceOption> Options { get; init; } = [];

    /// <summary>Runs with the storage open (and the service composed, if <see cref="Composes"/>); returns the exit code.</summary>
    public Func<ServiceVerbContext<TSettings>, Task<int>>? RunAsync { get; init; }

    /// <summary>The service is composed (its projections, its consumers registered) but not started, for the verb to use its parts.</summary>
    public bool Composes { get; init; }

    /// <summary>For a verb that neither reads the settings nor opens the storage: gets the whole command line (the verb first) and returns the exit code.</summary>
    public Func<string[], TextWriter, TextWriter, Task<int>>? RunStandaloneAsync { get; init; }

    public bool Standalone => RunStandaloneAsync is not null;

    /// <summary>
    /// <c>rebuild --projection NAME</c>: the service composed as it serves, not started, and only the named projection run,
    /// replaying the whole log into fresh tables and swapping them in, beside a service that may be serving from the same
    /// storage (<see cref="ProjectionRebuild"/>). Exit 0 when rebuilt, 2 when no projection has that name.
    /// </summary>
    public static ServiceVerb<TSettings> RebuildProjection { get; } = new("rebuild")
    {
        Options = [new ServiceOption("--projection") { RequiredMessage = "rebuild needs --projection NAME (the projection to rebuild; --help names them)." }],
        Composes = true,
        RunAsync = context => ProjectionRebuild.RunAsync(context.App!.Services, context.Command.Option("--projection")!, context.Output, context.Error,
            context.Interrupted),
    };

    /// <summary>A verb that reads its own command line and needs nothing from the host (the Audit service's <c>verify</c>).</summary>
    public static ServiceVerb<TSettings> OwnCommandLine(string name, Func<string[], TextWriter, TextWriter, Task<int>> runAsync) =>
        new(name) { RunStandaloneAsync = runAsync };
}

/// <summary>One "listening on" line of the banner: the listener's name and, once started, its URL (and a note after it).</summary>
public sealed record ServiceListening<TSettings>(string Listener, Func<RunningServiceHost<TSettings>, string> Url)
    where TSettings : class
{
    public Func<RunningServiceHost<TSettings>, string>? Note { get; init; }
}

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
    public required Func<TSettings, CancellationToken, Task<ServiceStorage>> OpenStorage { get; init; }

    /// <summary>The listeners' lines, printed once started, in this order (the launcher reads them: see <see cref="ListeningLine"/>).</summary>
    public required IReadOnlyList<ServiceListening<TSettings>> Listening { get; init; }

    /// <summary>The verbs besides <c>serve</c>.</summary>
    public IReadOnlyList<ServiceVerb<TSettings>> Verbs { get; init; } = [];

    /// <summary>The options <c>serve</c> takes (the Record's <c>--demo N</c>).</summary>
    public IReadOnlyList<ServiceOption> ServeOptions { get; init; } = [];

    /// <summary>Runs before <c>serve</c> composes the service, with the storage open (the Record seeds its demo patients here).</summary>
    public Func<ServiceVerbContext<TSettings>, Task>? BeforeServeAsync { get; init; }

    /// <summary>
    /// Runs on the composed service before it starts, in-process hosts too (Identity migrates its schema and loads its keys
    /// here, so a refusal comes before anything else is checked or served).
    /// </summary>
    public Func<WebApplication, CancellationToken, Task>? BeforeStartAsync { get; init; }

    /// <summary>The banner's lines once started, after the storage and listener lines the host prints itself.</summary>
    public Func<RunningServiceHost<TSettings>, IEnumerable<string>> StartedLines { get; init; } = _ => [];

    /// <summary>Runs once the service has started and printed its banner (the Record prints its demo examples, read from the store).</summary>
    public Func<RunningServiceHost<TSettings>, TextWriter, Task>? AfterStartAsync { get; init; }

    /// <summary>A listener's line as the host prints it: "Chronicle Record FHIR listening on http://127.0.0.1:5100/fhir".</summary>
    public string ListeningLine(string listener, string url, string? note = null) =>
        Banner.ListeningPrefix(listener) + url + (string.IsNullOrEmpty(note) ? "" : " " + note);
}

/// <summary>
/// Runs a Chronicle service executable the one way every service does: the command line (<c>serve</c>, the default;
/// <c>--help</c>; the service's own verbs and their options), exit codes (0; 1 could not start or run; 2 a configuration
/// problem or a bad command line, as one sentence on standard error; 130 interrupted before serving), the banner, opening
/// storage and settings read at start. Ctrl+C or SIGTERM while the storage opens or a verb runs stops it with exit 130; once
/// the service serves, they stop it cleanly (exit 0). In the Development environment a failure also prints its details.
/// <para>
/// The service's compose function adds what it is made of, starting with
/// <see cref="ServiceDefaultsExtensions.AddServiceDefaults"/> (telemetry, gRPC health and reflection) and ending with
/// <see cref="ServiceDefaultsExtensions.MapServiceDefaults"/> (health endpoints), so an in-process test host built from the
/// same compose function has them too.
/// </para>
/// </summary>
public static class ServiceHost
{
    public const int Succeeded = 0;
    public const int FailedToStart = 1;
    public const int ConfigurationProblem = 2;
    public const int Interrupted = 130;

    public static async Task<int> RunAsync<TSettings>(string[] args, ServiceHostDefinition<TSettings> definition,
        Func<WebApplicationBuilder, TSettings, WebApplication> compose)
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(compose);
        var banner = definition.Banner;
        if (args is [var first, ..] && definition.Verbs.FirstOrDefault(v => v.Standalone && v.Name == first) is { } standalone)
            return await standalone.RunStandaloneAsync!(args, Console.Out, Console.Error).ConfigureAwait(false);

        var showDetails = false;
        var failure = "cannot start";
        using var interrupt = new InterruptBeforeServing();
        try
        {
            var command = ServiceCommandLine.Parse(args, definition);
            if (command.IsHelp)
            {
                Console.WriteLine(definition.Usage);
                return Succeeded;
            }

            var builder = CreateBuilder(command.ConfigurationArgs);
            showDetails = builder.Environment.IsDevelopment();
            var settings = definition.ReadSettings(builder.Configuration);
            await using var storage = await definition.OpenStorage(settings, interrupt.Token).ConfigureAwait(false);
            Console.WriteLine(banner.Line($"storage: {storage.Description}"));
            var context = new ServiceVerbContext<TSettings>
            {
                Banner = banner, Command = command, Settings = settings, Storage = storage, Interrupted = interrupt.Token,
            };

            if (definition.Verbs.FirstOrDefault(v => v.Name == command.Verb) is { } verb)
            {
                failure = "could not run";
                if (!verb.Composes)
                    return await verb.RunAsync!(context).ConfigureAwait(false);
                await using var app = Compose(builder, settings, storage, compose);
                return await verb.RunAsync!(new ServiceVerbContext<TSettings>
                {
                    Banner = banner, Command = command, Settings = settings, Storage = storage, Interrupted = interrupt.Token, App = app,
                }).ConfigureAwait(false);
            }

            if (definition.BeforeServeAsync is { } beforeServe)
                await beforeServe(context).ConfigureAwait(false);
            interrupt.Dispose(); // from here the web host stops the service on Ctrl+C or SIGTERM, cleanly
            await using var host = await StartAsync(builder, command, settings, storage, definition, compose, CancellationToken.None).ConfigureAwait(false);
            failure = "could not run";
            foreach (var line in ListeningLines(host, definition).Concat(definition.StartedLines(host)))
                Console.WriteLine(line);
            if (definition.AfterStartAsync is { } afterStart)
                await afterStart(host, Console.Out).ConfigureAwait(false);
            await host.App.WaitForShutdownAsync().ConfigureAwait(false);
            return Succeeded;
        }
        catch (Exception e) when (ConfigurationError(e) is { } problem)
        {
            await Console.Error.WriteLineAsync($"{banner.Name}: {problem.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return ConfigurationProblem;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"{banner.Name}: interrupted.").ConfigureAwait(false);
            return Interrupted;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"{banner.Name} {failure}: {OneLine(e)}").ConfigureAwait(false);
            if (showDetails)
                await Console.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            return FailedToStart;
        }
    }

    /// <summary>
    /// Opens the storage and starts the service composed by <paramref name="compose"/>, configured by
    /// <paramref name="configurationArgs"/>: the in-process host tests use. <paramref name="configure"/> runs on the builder
    /// before the settings are read (a test's configuration sources and services).
    /// </summary>
    /// <exception cref="ServiceConfigurationException">A setting cannot be used.</exception>
    public static async Task<RunningServiceHost<TSettings>> StartAsync<TSettings>(string[] configurationArgs,
        ServiceHostDefinition<TSettings> definition, Func<WebApplicationBuilder, TSettings, WebApplication> compose,
        Action<WebApplicationBuilder>? configure = null, CancellationToken cancellationToken = default)
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(compose);
        var builder = CreateBuilder(configurationArgs);
        configure?.Invoke(builder);
        try
        {
            var settings = definition.ReadSettings(builder.Configuration);
            var storage = await definition.OpenStorage(settings, cancellationToken).ConfigureAwait(false);
            try
            {
                return await StartAsync(builder, ServiceCommand.ServeWith(configurationArgs), settings, storage, definition, compose, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch
            {
                await storage.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (Exception e) when (e is not ServiceConfigurationException && ConfigurationError(e) is { } problem)
        {
            throw new ServiceConfigurationException(problem.Message, problem);
        }
    }

    /// <summary>The listening lines of a started service, as <see cref="RunAsync{TSettings}"/> prints them.</summary>
    public static IEnumerable<string> ListeningLines<TSettings>(RunningServiceHost<TSettings> host, ServiceHostDefinition<TSettings> definition)
        where TSettings : class
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Listening.Select(l => definition.ListeningLine(l.Listener, l.Url(host), l.Note?.Invoke(host)));
    }

    private static async Task<RunningServiceHost<TSettings>> StartAsync<TSettings>(WebApplicationBuilder builder, ServiceCommand command, TSettings settings,
        ServiceStorage storage, ServiceHostDefinition<TSettings> definition, Func<WebApplicationBuilder, TSettings, WebApplication> compose,
        CancellationToken cancellationToken)
        where TSettings : class
    {
        var app = Compose(builder, settings, storage, compose);
        try
        {
            if (definition.BeforeStartAsync is { } beforeStart)
                await beforeStart(app, cancellationToken).ConfigureAwait(false);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new RunningServiceHost<TSettings>(app, storage, settings, command);
    }

    private static WebApplicationBuilder CreateBuilder(IReadOnlyList<string> configurationArgs) => WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = [.. configurationArgs],
        // appsettings.json sits beside the executable; relative data paths still follow the working directory.
        ContentRootPath = AppContext.BaseDirectory,
    });

    private static WebApplication Compose<TSettings>(WebApplicationBuilder builder, TSettings settings, ServiceStorage storage,
        Func<WebApplicationBuilder, TSettings, WebApplication> compose)
        where TSettings : class
    {
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(storage.Events);
        builder.Services.AddSingleton(storage.ReadModels);
        return compose(builder, settings);
    }

    /// <summary>
    /// The configuration problem <paramref name="e"/> is, if it is one: a <see cref="ServiceConfigurationException"/>, or a
    /// library's error marked <see cref="ConfigurationErrorAttribute"/> (such as the audit signing key's).
    /// </summary>
    public static Exception? ConfigurationError(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (current is ServiceConfigurationException || current.GetType().GetCustomAttribute<ConfigurationErrorAttribute>() is not null)
                return current;
            if (current is not (AggregateException or TargetInvocationException))
                break;
        }

        return null;
    }

    private static string OneLine(Exception e)
    {
        var message = e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{e.Message} ({inner.Message})"
            : e.Message;
        return message.ReplaceLineEndings(" ");
    }

    /// <summary>Ctrl+C or SIGTERM while storage opens or a verb runs; the web host handles them once it serves.</summary>
    private sealed class InterruptBeforeServing : IDisposable
    {
        private readonly CancellationTokenSource _interrupted = new();
        private readonly PosixSignalRegistration[] _registrations;
        private bool _disposed;

        public InterruptBeforeServing()
        {
            _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt)];
        }

        public CancellationToken Token => _interrupted.Token;

        private void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            _interrupted.Cancel();
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (var registration in _registrations)
                registration.Dispose();
            _interrupted.Dispose();
        }
    }
}

/// <summary>A started service: stopping it stops the host, then closes its storage.</summary>
public sealed class RunningServiceHost<TSettings>(WebApplication app, ServiceStorage storage, TSettings settings, ServiceCommand command) : IAsyncDisposable
    where TSettings : class
{
    public WebApplication App { get; } = app;
    public ServiceStorage Storage { get; } = storage;
    public TSettings Settings { get; } = settings;

    /// <summary>The command it serves for (<c>serve</c> and its options, such as the Record's <c>--demo N</c>).</summary>
    public ServiceCommand Command { get; } = command;
    public IServiceProvider Services => App.Services;
    public ServiceListeners Listeners => Services.GetRequiredService<ServiceListeners>();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        await Storage.DisposeAsync().ConfigureAwait(false);
    }
}
