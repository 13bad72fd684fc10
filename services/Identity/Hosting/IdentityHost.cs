using System.Net;
using Chronicle.Auditing;
using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.Contracts.IntegrationEvents.Identity;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Fhir.Http;
using Chronicle.Identity.Access;
using Chronicle.Identity.Messaging;
using Chronicle.Messaging;
using Chronicle.Identity.Admin;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Keys;
using Chronicle.Identity.Schema;
using Chronicle.Identity.SignIn;
using Chronicle.Security;
using Chronicle.ServiceDefaults;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace Chronicle.Identity.Hosting;

/// <summary>How the Identity service is put together; Program.cs and the tests both start it through here.</summary>
public static class IdentityHost
{
    public const string ListeningBanner = "Chronicle Identity listening on ";

    /// <summary>The app id under Dapr and the direct transport, unless <c>Chronicle:AppId</c> says otherwise.</summary>
    public const string AppId = "identity";

    /// <summary>Builds the app. <c>--demo</c> anywhere in <paramref name="args"/> seeds and prints demo credentials.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var demo = args.Contains("--demo", StringComparer.Ordinal);
        // Settings files sit beside the binary, wherever it is started from; data paths stay relative to the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args.Where(a => a != "--demo").ToArray(),
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (demo)
            builder.Configuration["Chronicle:Demo"] = "true";
        configure?.Invoke(builder);
        builder.AddServiceDefaults(AppId);         // telemetry (OTLP when an endpoint is set), gRPC health and reflection

        var settings = IdentityHostSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(settings.ListenAddress, settings.HttpPort, o =>
            {
                o.Protocols = HttpProtocols.Http1;
                o.UseConnectionErrorBodies(); // Kestrel's own refusals (a %00 in the path) with a body too
            });
            kestrel.Listen(Chronicle.ServiceDefaults.ServiceListeners.GrpcAddressFor(builder.Configuration, settings.ListenAddress), settings.GrpcPort,
                o => o.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddIdentityService(builder.Configuration, settings);
        var app = builder.Build();
        app.MapIdentityService();
        return app;
    }

    public static IServiceCollection AddIdentityService(this IServiceCollection services, IConfiguration configuration, IdentityHostSettings settings)
    {
        var section = configuration.GetSection(IdentityServiceOptions.Section);
        var identity = section.Get<IdentityServiceOptions>() ?? new IdentityServiceOptions();
        services.Configure<IdentityServiceOptions>(section);
        var requireHttps = identity.RequireHttps ?? !IPAddress.IsLoopback(settings.ListenAddress);

        services.KeepSecretsOutOfLogs();
        services.AddHttpEdgeLimits();
        services.TryAddSingleton(TimeProvider.System);
        services.AddPrivateDataDirectory(settings.DataDirectory);
        services.AddIdentityDatabase(settings);
        services.AddIdentityDataProtection(configuration);
        services.AddScoped<DirectoryService>();
        services.AddScoped<RegistrationFacts>();
        services.AddSingleton<AccessChanges>();
        services.AddScoped<PasswordSignIn>();
        services.AddScoped<PatientAccessPolicy>();
        services.TryAddSingleton<IPasswordHasher<Account>, PasswordHasher<Account>>();
        services.AddSingleton<SignInThrottle>();

        services.AddSingleton<ServerOptionsChangeSignal>();
        services.AddSingleton<IssuerAddress>();
        services.AddSingleton<SigningKeyRing>();
        services.AddHostedService<SigningKeyRotationService>();

        services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<IdentityDbContext>())
            .AddServer(options =>
            {
                options.SetAuthorizationEndpointUris(OAuthEndpoints.AuthorizationPath[1..])
                    .SetTokenEndpointUris(OAuthEndpoints.TokenPath[1..]);
                options.AllowClientCredentialsFlow()
                    .AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowRefreshTokenFlow();
                options.SetAccessTokenLifetime(identity.AccessTokenLifetime)
                    .SetIdentityTokenLifetime(identity.IdentityTokenLifetime)
                    .SetAuthorizationCodeLifetime(identity.AuthorizationCodeLifetime)
                    .SetRefreshTokenLifetime(identity.RefreshTokenLifetime);
                // Services validate access tokens themselves with the published keys, so they are signed, not encrypted.
                options.DisableAccessTokenEncryption();
                // SMART scopes are open-ended (system/Patient.rs, user/*.cruds…): the token endpoint decides them from the directory.
                options.DisableScopeValidation().IgnoreScopePermissions();
                options.AddEventHandler(TokenRequestLimits.ExtractDescriptor).AddEventHandler(TokenRequestLimits.ApplyDescriptor);
                var aspNetCore = options.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough();
                if (!requireHttps)
                    aspNetCore.DisableTransportSecurityRequirement();
            });
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ConfigureServerFromKeyRing>();
        services.AddSingleton<IPostConfigureOptions<OpenIddictServerOptions>, KeepActiveSigningKeyFirst>();
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>, KeyRingChangeTokenSource>();
        // PKCE with S256 only: "plain" would let an intercepted code be redeemed.
        services.PostConfigure<OpenIddictServerOptions>(o => o.CodeChallengeMethods.Remove(OpenIddict.Abstractions.OpenIddictConstants.CodeChallengeMethods.Plain));

        // Identity's own APIs (Access, module admin) take its access tokens, checked against the live key ring.
        services.AddChronicleSecurity(configuration, o =>
        {
            o.Audience = identity.Audience;
            o.RequireHttpsMetadata = requireHttps;
        });
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>>(provider => new ConfigureNamedOptions<JwtBearerOptions>(
            JwtBearerDefaults.AuthenticationScheme,
            o => o.ConfigurationManager = new KeyRingConfigurationManager(
                provider.GetRequiredService<SigningKeyRing>(), provider.GetRequiredService<IssuerAddress>())));
        services.AddAuthentication().AddCookie(LoginPage.CookieScheme, o =>
        {
            o.LoginPath = LoginPage.Path;
            o.Cookie.Name = "chronicle.identity.login";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = requireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(20);
            o.SlidingExpiration = false;
        });
        services.AddAntiforgery(o => o.Cookie.Name = "chronicle.identity.antiforgery");
        services.AddSingleton<CredentialRateLimits>();
        services.AddGrpc();

        // Identity's own event store is its audit outbox; the inbox and the relay's checkpoint sit beside it.
        services.AddSingleton<IdentityStorage>();
        services.AddSingleton(provider => provider.GetRequiredService<IdentityStorage>().Events);
        services.AddSingleton(provider => provider.GetRequiredService<IdentityStorage>().Messaging);
        // Every relationship answer is audited before it is sent, refusals too (see IdentityAuditing).
        services.AddAuditing(IdentityAuditing.Service);

        // Registrations arrive from the Record service as integration events; audit entries leave for the Audit service
        // from the outbox (Dapr pub/sub, or the direct transport), signed with Identity's own key.
        try
        {
            services.AddAuditSigning(configuration, settings.DataDirectory);
        }
        catch (AuditSigningConfigurationException e)
        {
            throw new IdentityStartupException(e.Message, e);
        }

        services.AddChronicleMessaging(configuration, AppId, settings.DataDirectory)
            .AddIntegrationEvents(RecordIntegrationEventsJsonContext.Catalog())
            .AddIntegrationEvents(AuditIntegrationEventsJsonContext.Catalog())
            .AddIntegrationEvents(IdentityIntegrationEventsJsonContext.Catalog())
            .Subscribe<RecordIntegrationEventsV1.PatientRegistered, RegistrationConsumer>()
            .AddOutboxRelay<IdentityIntegrationEventMapper>();
        return services;
    }

    public static WebApplication MapIdentityService(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseHttpErrorBodies();                  // limits, and errors (413, 414, malformed JSON…) with problem-details bodies
        app.UseRouting();
        app.UseRoutingRejections();                // 405 and 415 before any token is asked for (a 415 is not a 401)
        app.UseChronicleSecurity();
        app.UseAntiforgery();
        app.MapLoginPage();
        app.MapOAuthEndpoints();
        app.MapModuleEndpoints();
        app.MapGrpcService<AccessGrpcService>();
        app.MapAppCallback();
        app.MapGet("/health", () => Results.Ok("healthy")).AllowAnonymous().NoPatientData("Liveness."); // what k8s/ and the launcher probe
        app.MapServiceDefaults();                  // /healthz, /readyz, grpc.health.v1, gRPC reflection
        return app;
    }

    /// <summary>Migrates the schema, loads the keys, seeds the demo when asked, starts listening and fixes the issuer.</summary>
    public static async Task<(Uri Http, Uri Grpc)> StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await IdentityDatabase.MigrateAsync(scope.ServiceProvider.GetRequiredService<IdentityDbContext>(),
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IdentityDatabase)), cancellationToken).ConfigureAwait(false);
        }

        await app.Services.GetRequiredService<IdentityStorage>().OpenAsync(cancellationToken).ConfigureAwait(false);

        await IdentityDataProtection.EnsureKeyAsync(app.Services, cancellationToken).ConfigureAwait(false);
        await app.Services.GetRequiredService<SigningKeyRing>().LoadAsync(cancellationToken).ConfigureAwait(false);
        var settings = app.Services.GetRequiredService<IdentityHostSettings>();
        if (settings.SeedDemo)
            await DemoDirectory.SeedAsync(app.Services, cancellationToken).ConfigureAwait(false);

        var configuredIssuer = app.Configuration[$"{IdentityServiceOptions.Section}:Issuer"];
        var issuer = app.Services.GetRequiredService<IssuerAddress>();
        if (!string.IsNullOrEmpty(configuredIssuer))
            issuer.Set(new Uri(configuredIssuer));

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).ToList();
        var http = addresses[0];
        var grpc = addresses[1];
        if (!issuer.IsKnown)
            issuer.Set(http);
        return (http, grpc);
    }

    /// <returns>The process exit code: 1 when Identity refused to start for a reason given on standard error.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication? built = null;
        Uri http, grpc;
        try
        {
            built = Build(args);
            (http, grpc) = await StartAsync(built).ConfigureAwait(false);
        }
        catch (IdentityStartupException refused)
        {
            await Console.Error.WriteLineAsync($"Chronicle Identity cannot start: {refused.Message}").ConfigureAwait(false);
            if (built is not null)
                await built.DisposeAsync().ConfigureAwait(false);
            return 1;
        }

        await using var app = built;

        var issuer = app.Services.GetRequiredService<IssuerAddress>().Value;
        Console.WriteLine($"{ListeningBanner}{http} (OAuth2 / OpenID Connect, issuer {issuer})");
        Console.WriteLine($"Chronicle Identity gRPC (chronicle.identity.v1.Access) on {grpc}");
        if (app.Services.GetRequiredService<IdentityHostSettings>().SeedDemo)
            Console.WriteLine(DemoDirectory.Describe(issuer));
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }
}
