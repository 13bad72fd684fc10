using Chronicle.Contracts.Identity.V1;
using Chronicle.Fhir.Http;
using Grpc.AspNetCore.Server;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Chronicle.Security;

public static class SecurityServiceCollectionExtensions
{
    /// <summary>
    /// Every endpoint needs a valid access token (issuer, audience, expiry and signature checked against the Identity
    /// service's discovery document) unless it is marked anonymous; scopes are declared per endpoint; refusals are
    /// answered as gRPC statuses or FHIR OperationOutcomes. Reads <see cref="ChronicleSecurityOptions.Section"/>.
    /// </summary>
    public static IServiceCollection AddChronicleSecurity(
        this IServiceCollection services, IConfiguration configuration, Action<ChronicleSecurityOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var optionsBuilder = services.AddOptions<ChronicleSecurityOptions>().Bind(configuration.GetSection(ChronicleSecurityOptions.Section));
        if (configure is not null)
            optionsBuilder.Configure(configure);

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureJwtBearerFromChronicleOptions>();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());
        services.AddSingleton<IAuthorizationHandler, FhirScopeHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ChronicleAuthorizationResultHandler>();
        services.AddMemoryCache();
        services.TryAddSingleton<AccessAnswerCache>();
        services.TryAddSingleton(provider =>
        {
            var address = provider.GetRequiredService<IOptions<ChronicleSecurityOptions>>().Value.AccessServiceAddress
                ?? throw new InvalidOperationException(
                    $"{ChronicleSecurityOptions.Section}:AccessServiceAddress must name the Identity service's gRPC address to check patient access.");
            return new Access.AccessClient(GrpcChannel.ForAddress(address));
        });
        services.TryAddSingleton<IPatientAccessChecker, IdentityPatientAccessChecker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFhirErrorMapping, AccessRefusalFhirMapping>());
        services.TryAddSingleton<Chronicle.Fhir.Conformance.ISmartConfigurationSource, SmartConfigurationFromDiscovery>();
        return services;
    }

    /// <summary>
    /// Adds the interceptor that enforces scopes and patient relationships on every gRPC method, inside the one that
    /// answers libs/Security's refusals (its own and a handler's) with their gRPC status.
    /// </summary>
    public static GrpcServiceOptions AddChronicleSecurity(this GrpcServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Interceptors.Add<AccessRefusalGrpcMapping>();
        options.Interceptors.Add<ChronicleSecurityInterceptor>();
        return options;
    }

    /// <summary>
    /// Authentication then authorization; call after UseRouting and before the endpoints. Adds nothing in a host that
    /// opted out explicitly (<see cref="SecurityStartup.AddChronicleSecurityOrOptOut"/>), so a service composes one way.
    /// </summary>
    public static IApplicationBuilder UseChronicleSecurity(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<SecurityOptedOut>() is not null)
            return app;
        return app.UseAuthentication().UseAuthorization();
    }

    private sealed class ConfigureJwtBearerFromChronicleOptions(IOptions<ChronicleSecurityOptions> chronicle)
        : IConfigureNamedOptions<JwtBearerOptions>
    {
        public void Configure(JwtBearerOptions options) => Configure(JwtBearerDefaults.AuthenticationScheme, options);

        public void Configure(string? name, JwtBearerOptions options)
        {
            if (name != JwtBearerDefaults.AuthenticationScheme)
                return;
            var settings = chronicle.Value;
            options.Authority = settings.Authority;
            if (!string.IsNullOrEmpty(settings.MetadataAddress))
                options.MetadataAddress = settings.MetadataAddress;
            options.Audience = settings.Audience;
            options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            options.MapInboundClaims = false;
            options.RefreshInterval = settings.KeyRefreshInterval;
            options.AutomaticRefreshInterval = TimeSpan.FromHours(1);
            var validation = options.TokenValidationParameters;
            validation.ValidateIssuer = true;
            validation.ValidateAudience = true;
            validation.ValidateLifetime = true;
            validation.ValidateIssuerSigningKey = true;
            validation.RequireExpirationTime = true;
            validation.RequireSignedTokens = true;
            validation.ValidAudience = settings.Audience;
            validation.ClockSkew = settings.ClockSkew;
            validation.NameClaimType = ChronicleClaims.Subject;
            validation.RoleClaimType = ChronicleClaims.Role;
            // Only access tokens: an identity token (typ JWT) must not open an API.
            validation.ValidTypes = ["at+jwt"];
        }
    }
}
