using Chronicle.Identity.Directory;
using Chronicle.Identity.Keys;
using Chronicle.Identity.Schema;
using Chronicle.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Chronicle.Identity.Hosting;

/// <summary>
/// What the shared host (<see cref="ServiceHost"/>) needs to know about Identity: its settings, storage (the audit
/// outbox's event store and the messaging database, beside its EF Core directory) and banner
/// ("Chronicle Identity listening on http://127.0.0.1:5300/ (OAuth2 / OpenID Connect, issuer ...)").
/// </summary>
public static class IdentityHost
{
    /// <summary>The app id under Dapr and the direct transport, unless <c>Chronicle:AppId</c> says otherwise.</summary>
    public const string AppId = "identity";

    public const string Usage = """
        Usage:
          Chronicle.Identity [serve] [--demo] [settings]
              Serve Identity: OAuth2 / OpenID Connect (OpenIddict), the login page and module admin API (HTTP/1.1), and
              chronicle.identity.v1.Access (h2c). --demo seeds the demo directory and prints its credentials.

        Settings (appsettings.json, environment variables such as Chronicle__Storage, or arguments):
          --Chronicle:Storage=sqlite|postgres          default sqlite
          --Chronicle:DataDirectory=PATH               SQLite files, keys, the direct broker's queue; default ./data/identity
          --ConnectionStrings:Identity=CONNECTION      PostgreSQL, e.g. "Host=localhost;Database=chronicle_identity;Username=chronicle"
          --Chronicle:ListenAddress=127.0.0.1          the HTTP listener's address (0.0.0.0 in containers)
          --Chronicle:Ports:Http=5300                  0 picks a free port
          --Chronicle:Ports:Grpc=5301                  0 picks a free port
          --Chronicle:Identity:Issuer=URL              the issuer tokens carry; default the HTTP listener's URL
          --Chronicle:Identity:KeyEncryption:CertificatePath=PEM
                                                       encrypts the stored token keys (with PrivateKeyPath)
          --Chronicle:Auditing:SigningKey=PEM          the key audit entries are signed with (a PEM path or text); without
                                                       one, a development key in the data directory (required under Dapr)
        """;

    public static ServiceBanner Banner { get; } = new("Identity");

    /// <summary>What the HTTP listener's line starts with: "Chronicle Identity listening on ".</summary>
    public static string ListeningBanner { get; } = Banner.ListeningPrefix("");

    public static ServiceHostDefinition<IdentityHostSettings> Definition { get; } = new()
    {
        Banner = Banner,
        Usage = Usage,
        ReadSettings = IdentityHostSettings.From,
        OpenStorage = OpenStorageAsync,
        Listening =
        [
            new("", host => host.Listeners.HttpBase.ToString()) { Note = host => $"(OAuth2 / OpenID Connect, issuer {Issuer(host)})" },
            new("gRPC", host => host.Listeners.GrpcAddress.ToString()) { Note = _ => "(chronicle.identity.v1.Access)" },
        ],
        ServeOptions = [new ServiceOption("--demo") { SwitchesOn = "Chronicle:Demo" }],
        BeforeStartAsync = PrepareAsync,
        StartedLines = host => host.Settings.SeedDemo ? [DemoDirectory.Describe(Issuer(host))] : [],
    };

    /// <summary>
    /// Before anything else starts: the schema migrated (a database a newer version migrated is refused), the
    /// data-protection and token keys loaded (keys it cannot decrypt are refused), the demo directory seeded when asked,
    /// and the configured issuer set.
    /// </summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await IdentityDatabase.MigrateAsync(scope.ServiceProvider.GetRequiredService<IdentityDbContext>(),
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IdentityDatabase)), cancellationToken).ConfigureAwait(false);
        }

        await IdentityDataProtection.EnsureKeyAsync(app.Services, cancellationToken).ConfigureAwait(false);
        await app.Services.GetRequiredService<SigningKeyRing>().LoadAsync(cancellationToken).ConfigureAwait(false);
        if (app.Services.GetRequiredService<IdentityHostSettings>().SeedDemo)
            await DemoDirectory.SeedAsync(app.Services, cancellationToken).ConfigureAwait(false);
        if (app.Configuration[$"{IdentityServiceOptions.Section}:Issuer"] is { Length: > 0 } configured)
            app.Services.GetRequiredService<IssuerAddress>().Set(new Uri(configured));
    }

    private static Uri Issuer(RunningServiceHost<IdentityHostSettings> host) => host.Services.GetRequiredService<IssuerAddress>().Value;

    /// <summary>
    /// The event store that is Identity's audit outbox (stream <c>audit-outbox</c>) and the database its inbox and relay
    /// checkpoint live in: SQLite files in the data directory, or schemas <see cref="IdentityHostSettings.EventSchema"/> and
    /// <see cref="IdentityHostSettings.ReadModelSchema"/> of the Identity database on PostgreSQL.
    /// </summary>
    private static Task<ServiceStorage> OpenStorageAsync(IdentityHostSettings settings, CancellationToken cancellationToken) => settings.UsePostgres
        ? ServiceStorage.OpenPostgresAsync(settings.ConnectionString, IdentityHostSettings.EventSchema, IdentityHostSettings.ReadModelSchema, cancellationToken)
        : ServiceStorage.OpenSqliteAsync(settings.DataDirectory, cancellationToken);
}
