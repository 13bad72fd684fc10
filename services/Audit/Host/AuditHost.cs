using Chronicle.Audit.Chain;
using Chronicle.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Chronicle.Audit.Host;

/// <summary>
/// Runs the Audit executable: <c>verify</c> checks the chain (see <see cref="AuditCommandLine"/>); <c>rebuild --projection
/// audit-queries</c> rebuilds the query tables; <c>serve</c>, the default, opens the storage and serves. What a launcher or a person needs is printed one line each: the storage, the
/// bound URLs ("Chronicle Audit HTTP listening on http://127.0.0.1:5200/"), the signing key, and a configuration
/// problem (exit code 2) or failure to start (exit code 1) as one sentence on standard error.
/// </summary>
public static class AuditHost
{
    public const string Usage = """
        Usage:
          Chronicle.Audit [serve] [settings]
              Serve the Audit service: chain every audit entry delivered on topic chronicle.audit, and serve auditors the
              FHIR AuditEvent API (/fhir), verification (/audit/verify) and replay (/audit/replay/{patientId}/...).
          Chronicle.Audit verify [--sqlite PATH | --postgres CONNECTION] [--key PEM]... [--emitter SERVICE=PEM]... [--emitter-keys DIR]
                                 [--from SEQ] [--to SEQ]
              Check the chain offline; exit 0 when intact, 1 at the first break.
          Chronicle.Audit rebuild --projection NAME [settings]
              Replay the whole chain into fresh query tables of the projection NAME (audit-queries) and swap them in,
              while a running Audit service keeps serving searches from the live ones.

        Settings (appsettings.json, environment variables such as Chronicle__Storage, or arguments):
          --Chronicle:Storage=sqlite|postgres          default sqlite
          --Chronicle:DataDirectory=PATH               SQLite files and the checkpoint signing key; default ./data/audit
          --ConnectionStrings:Audit=CONNECTION         PostgreSQL, e.g. "Host=localhost;Database=chronicle_audit;Username=chronicle"
          --Chronicle:Ports:Http=5200                  FHIR, verify, replay, health (HTTP/1.1); 0 picks a free port
          --Chronicle:Ports:Grpc=5201                  Dapr app callback (h2c); 0 picks a free port
          --Chronicle:Checkpoints:EveryEntries=1000    sign a checkpoint after this many new entries...
          --Chronicle:Checkpoints:Interval=00:01:00    ...or after this long with any new entry
          --Chronicle:Transport=direct|dapr            how entries arrive and the Record is reached for replay
          --Chronicle:Apps:record:Grpc=URL             the Record's gRPC address under the direct transport
          --Chronicle:Auditing:SigningKey=PEM          the key the service's own entries are signed with (a PEM path or text);
                                                       without one, a development key in the data directory (required under Dapr)
          --Chronicle:Audit:Emitters:SERVICE:PublicKeys:0=PEM
                                                       a public key SERVICE signs its entries with (path or PEM text; :1, :2...
                                                       while rotating); entries not signed by their service's key are refused
        """;

    public static ServiceBanner Banner { get; } = new("Audit");

    /// <summary>What the shared host needs to know about the Audit service: its settings, storage, verbs and banner.</summary>
    public static ServiceHostDefinition<AuditHostSettings> Definition { get; } = new()
    {
        Banner = Banner,
        Usage = Usage,
        ReadSettings = AuditHostSettings.From,
        OpenStorage = OpenStorageAsync,
        Listening =
        [
            new("HTTP", host => host.Listeners.HttpBase.ToString()),
            new("gRPC", host => host.Listeners.GrpcAddress.GetLeftPart(UriPartial.Authority)),
        ],
        Verbs =
        [
            ServiceVerb<AuditHostSettings>.OwnCommandLine("verify", AuditCommandLine.RunAsync),
            ServiceVerb<AuditHostSettings>.RebuildProjection,
        ],
        StartedLines = StartedLines,
    };

    /// <summary>Opens the storage and starts the service composed by <paramref name="compose"/>, configured by <paramref name="configurationArgs"/>.</summary>
    /// <exception cref="ServiceConfigurationException">A setting cannot be used.</exception>
    public static async Task<RunningAuditHost> StartAsync(string[] configurationArgs, Func<WebApplicationBuilder, AuditHostSettings, WebApplication> compose)
    {
        var host = await ServiceHost.StartAsync(configurationArgs, Definition, compose).ConfigureAwait(false);
        return new RunningAuditHost(host.App, host.Storage, host.Settings);
    }

    private static IEnumerable<string> StartedLines(RunningServiceHost<AuditHostSettings> host)
    {
        var http = host.Listeners.HttpBase;
        yield return Banner.Line($"FHIR AuditEvent API on {new Uri(http, "fhir")}, verify on {new Uri(http, "audit/verify")}");
        yield return Banner.Line($"checkpoints signed with key {host.Services.GetRequiredService<CheckpointSigner>().KeyId}; public key in {host.Settings.PublicKeyPath}");
    }

    /// <summary>
    /// The service's own store (the chain and its checkpoints; <c>events.db</c> in the data directory is what
    /// <c>verify --sqlite</c> reads by default) and its query tables. The data directory is created either way: the signing key lives there.
    /// </summary>
    private static Task<ServiceStorage> OpenStorageAsync(AuditHostSettings settings, CancellationToken cancellationToken)
    {
        PrivateDataDirectory.Ensure(settings.DataDirectory);
        return settings.Storage == AuditStorageKind.Postgres
            ? ServiceStorage.OpenPostgresAsync(settings.PostgresConnectionString!, AuditHostSettings.EventSchema, AuditHostSettings.ReadModelSchema, cancellationToken)
            : ServiceStorage.OpenSqliteAsync(settings.DataDirectory, cancellationToken);
    }
}

/// <summary>A started Audit service: stopping it stops the host, then closes its storage.</summary>
public sealed class RunningAuditHost(WebApplication app, ServiceStorage storage, AuditHostSettings settings) : IAsyncDisposable
{
    public WebApplication App { get; } = app;
    public ServiceStorage Storage { get; } = storage;
    public AuditHostSettings Settings { get; } = settings;
    public IServiceProvider Services => App.Services;
    public Uri HttpBase => Services.GetRequiredService<Chronicle.ServiceDefaults.ServiceListeners>().HttpBase;
    public Uri GrpcAddress => Services.GetRequiredService<Chronicle.ServiceDefaults.ServiceListeners>().GrpcAddress;
    public CheckpointSigner Signer => Services.GetRequiredService<CheckpointSigner>();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        await Storage.DisposeAsync().ConfigureAwait(false);
    }
}
