using System.Net;
using Chronicle.Auditing;
using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.Contracts.IntegrationEvents.Identity;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Identity.Access;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Keys;
using Chronicle.Identity.Messaging;
using Chronicle.Identity.Schema;
using Chronicle.Identity.SignIn;
using Chronicle.Messaging;
using Chronicle.Security;
using Chronicle.ServiceDefaults;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenIddict.Server;

namespace Chronicle.Identity.Hosting;

/// <summary>The parts <see cref="IdentityService.Compose"/> assembles Identity from, one method each.</summary>
public static class IdentityHostExtensions
{
    /// <summary>The directory (practices, staff, patients, modules) in its EF Core database, its data-protection keys, sign-in and access rules.</summary>
    public static IServiceCollection AddIdentityDirectory(this IServiceCollection services, IdentityHostSettings settings, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.Configure<IdentityServiceOptions>(configuration.GetSection(IdentityServiceOptions.Section));
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
        services.AddSingleton<CredentialRateLimits>();
        return services;
    }

    /// <summary>The OpenIddict server (client credentials, authorization code with S256 PKCE, refresh tokens) over the rotating key ring.</summary>
    public static IServiceCollection AddIdentityTokens(this IServiceCollection services, IConfiguration configuration, IdentityHostSettings settings)
    {
        var identity = Options(configuration);
        var requireHttps = RequireHttps(identity, settings);
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
        return services;
    }

    /// <summary>Identity's own APIs (Access, module admin) take its access tokens, checked against the live key ring; the login page's cookie.</summary>
    public static IServiceCollection AddIdentityApiSecurity(this IServiceCollection services, IConfiguration configuration, IdentityHostSettings settings)
    {
        var identity = Options(configuration);
        var requireHttps = RequireHttps(identity, settings);
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
        services.AddGrpc();
        return services;
    }

    /// <summary>
    /// Registrations arrive from the Record as integration events; audit entries leave for the Audit service from the
    /// outbox (Dapr pub/sub, or the direct transport), signed with Identity's own key. The store is the host's.
    /// </summary>
    public static IServiceCollection AddIdentityMessaging(this IServiceCollection services, IConfiguration configuration, IdentityHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddAuditSigning(configuration, settings.DataDirectory);
        services.AddChronicleMessaging(configuration, IdentityHost.AppId, settings.DataDirectory)
            .AddIntegrationEvents(RecordIntegrationEventsJsonContext.Catalog())
            .AddIntegrationEvents(AuditIntegrationEventsJsonContext.Catalog())
            .AddIntegrationEvents(IdentityIntegrationEventsJsonContext.Catalog())
            .Subscribe<RecordIntegrationEventsV1.PatientRegistered, RegistrationConsumer>()
            .AddOutboxRelay<IdentityIntegrationEventMapper>();
        return services;
    }

    /// <summary>Ready (<c>/readyz</c>, <c>grpc.health.v1</c>) once it can issue tokens: its keys loaded and its issuer known.</summary>
    public static IServiceCollection AddIdentityHealth(this IServiceCollection services) =>
        services.AddReadinessCheck<IdentityReadiness>("issuer");

    /// <summary>Once it listens: the issuer is the HTTP listener's URL, unless one is configured (see <see cref="IdentityHost.PrepareAsync"/>).</summary>
    public static IServiceCollection AddIdentityIssuer(this IServiceCollection services) =>
        services.OnHostStarted(provider =>
        {
            var issuer = provider.GetRequiredService<IssuerAddress>();
            if (!issuer.IsKnown)
                issuer.Set(provider.GetRequiredService<ServiceListeners>().HttpBase);
        });

    private static IdentityServiceOptions Options(IConfiguration configuration) =>
        configuration.GetSection(IdentityServiceOptions.Section).Get<IdentityServiceOptions>() ?? new IdentityServiceOptions();

    private static bool RequireHttps(IdentityServiceOptions identity, IdentityHostSettings settings) =>
        identity.RequireHttps ?? !IPAddress.IsLoopback(settings.ListenAddress);
}

/// <summary>The keys are loaded before the host starts, so tokens can be issued as soon as the issuer is known.</summary>
internal sealed class IdentityReadiness(IssuerAddress issuer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(
        HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(issuer.IsKnown
            ? HealthCheckResult.Healthy($"Issuing tokens as {issuer.Value}.")
            : HealthCheckResult.Unhealthy("The issuer is not known until the HTTP listener is bound."));
}
