using Chronicle.Testing;
using System.Collections.Concurrent;
using Chronicle.Identity.Hosting;
using Chronicle.Identity.Keys;
using Chronicle.ServiceDefaults;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chronicle.Identity.Tests;

/// <summary>A real Identity service on loopback ports, with the demo directory, on SQLite (a temp folder) or PostgreSQL.</summary>
public sealed class IdentityInstance : IAsyncDisposable
{
    private readonly RunningServiceHost<IdentityHostSettings> _host;
    private readonly string? _ownedDirectory;

    private IdentityInstance(RunningServiceHost<IdentityHostSettings> host, string? ownedDirectory, CapturedLogs logs)
    {
        _host = host;
        _ownedDirectory = ownedDirectory;
        Logs = logs;
    }

    public Uri Http => _host.Listeners.HttpBase;
    public Uri Grpc => _host.Listeners.GrpcAddress;
    public Uri Issuer => _host.Services.GetRequiredService<IssuerAddress>().Value;
    public IServiceProvider Services => _host.Services;
    public CapturedLogs Logs { get; }
    public Uri TokenEndpoint => new(Http, "connect/token");

    /// <param name="dataDirectory">Reuse a data folder (to restart on the same database); a temp one is made and removed otherwise.</param>
    public static async Task<IdentityInstance> StartAsync(
        IDictionary<string, string?>? settings = null, string? dataDirectory = null, string? postgresConnectionString = null,
        TimeProvider? clock = null, Action<IServiceCollection>? services = null)
    {
        // On PostgreSQL too: the direct broker's queue is a file in the data directory.
        var owned = dataDirectory is null
            ? Path.Combine(Path.GetTempPath(), "chronicle-identity-tests", Guid.NewGuid().ToString("N"))
            : null;
        var configuration = new Dictionary<string, string?>
        {
            ["Chronicle:Ports:Http"] = "0",
            ["Chronicle:Ports:Grpc"] = "0",
            ["Chronicle:Demo"] = "true",
            ["Chronicle:DataDirectory"] = dataDirectory ?? owned,
            // Audit entries leave through the direct transport, to whichever apps a test names under Chronicle:Apps.
            ["Chronicle:AppId"] = IdentityHost.AppId,
            ["Chronicle:Transport"] = "direct",
            [TestAppApiToken.Setting] = TestAppApiToken.Value,
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:OpenIddict"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information",
        };
        if (postgresConnectionString is not null)
        {
            configuration["Chronicle:Storage"] = "postgres";
            configuration["ConnectionStrings:Identity"] = postgresConnectionString;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            configuration[key] = value;

        var logs = new CapturedLogs();
        try
        {
            // The service as Program.cs runs it (the shared host, Identity's compose), with the test's settings and logs.
            var host = await ServiceHost.StartAsync([], IdentityHost.Definition, IdentityService.Compose, builder =>
            {
                // The test folder holds every referenced service's appsettings.json (the last one copied wins): none is Identity's own here.
                foreach (var file in builder.Configuration.Sources.OfType<Microsoft.Extensions.Configuration.Json.JsonConfigurationSource>().ToList())
                    builder.Configuration.Sources.Remove(file);
                builder.Configuration.AddInMemoryCollection(configuration);
                if (clock is not null)
                    builder.Services.AddSingleton(clock);
                services?.Invoke(builder.Services);
                builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddFilter(_ => true).AddProvider(logs);
            });
            return new IdentityInstance(host, owned, logs);
        }
        catch
        {
            SqliteConnection.ClearAllPools();
            if (owned is not null && System.IO.Directory.Exists(owned))
                System.IO.Directory.Delete(owned, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (_ownedDirectory is not null && System.IO.Directory.Exists(_ownedDirectory))
            System.IO.Directory.Delete(_ownedDirectory, recursive: true);
    }
}

/// <summary>Everything the service logs, at every level, to check that no secret is ever written.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join("; ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{structured}] {exception}");
        }
    }
}
