using Chronicle.Auditing;
using Chronicle.Fhir.Http;
using Chronicle.Identity.Access;
using Chronicle.Identity.Admin;
using Chronicle.Identity.SignIn;
using Chronicle.Messaging;
using Chronicle.Security;
using Chronicle.ServiceDefaults;

namespace Chronicle.Identity.Hosting;

public static class IdentityService
{
    /// <summary>What the Identity service is made of. The host has opened the storage (the audit outbox, the inbox) and registered it.</summary>
    public static WebApplication Compose(WebApplicationBuilder builder, IdentityHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        builder.AddServiceDefaults(IdentityHost.AppId);  // telemetry (OTLP when an endpoint is set), gRPC health and reflection
        ServiceListeners.AddTo(builder, settings.ListenAddress, settings.HttpPort, settings.GrpcPort); // OAuth, login, admin on HTTP/1.1; Access on h2c
        builder.Services.KeepSecretsOutOfLogs();         // no password, secret or token in any log line
        builder.Services.AddHttpEdgeLimits();            // request body and request line limits (libs/Fhir HttpEdges)
        builder.Services.AddIdentityDirectory(settings, builder.Configuration); // EF Core directory, its data-protection keys, sign-in
        builder.Services.AddIdentityTokens(builder.Configuration, settings); // OpenIddict: client credentials, code + PKCE, refresh; the key ring
        builder.Services.AddIdentityApiSecurity(builder.Configuration, settings); // Identity's own APIs take its tokens; the login cookie
        builder.Services.AddAuditing(IdentityAuditing.Service); // every relationship answer audited before it is sent, refusals too
        builder.Services.AddIdentityMessaging(builder.Configuration, settings); // registrations in from the Record; audit entries out, signed
        builder.Services.AddIdentityIssuer();            // the HTTP listener's URL, unless configured
        builder.Services.AddIdentityHealth();            // ready once it can issue tokens (/readyz, grpc.health.v1)

        var app = builder.Build();
        app.UseHttpErrorBodies();                        // limits, and errors (413, 414, malformed JSON…) with problem-details bodies
        app.UseRouting();
        app.UseRoutingRejections();                      // 405 and 415 before any token is asked for (a 415 is not a 401)
        app.UseChronicleSecurity();
        app.UseAntiforgery();
        app.MapServiceDefaults();                        // /healthz, /readyz, grpc.health.v1, gRPC reflection
        app.MapLoginPage();
        app.MapOAuthEndpoints();
        app.MapModuleEndpoints();
        app.MapGrpcService<AccessGrpcService>();
        app.MapAppCallback();
        return app;
    }
}
