using Chronicle.Fhir.Http;
using Chronicle.Audit.Api;
using Chronicle.Audit.Fhir;
using Chronicle.Messaging;
using Chronicle.Security;
using Chronicle.ServiceDefaults;
using Microsoft.AspNetCore.Builder;

namespace Chronicle.Audit.Host;

public static class AuditService
{
    /// <summary>What the Audit service is made of. The host has opened the storage and registered it.</summary>
    public static WebApplication Compose(WebApplicationBuilder builder, AuditHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults(AuditHostExtensions.AppId); // telemetry (OTLP when an endpoint is set), gRPC health and reflection
        builder.AddAuditListeners(settings);           // FHIR, verify, replay, health on HTTP/1.1; app callback on h2c
        builder.Services.AddChronicleSecurityOrOptOut(builder.Configuration, AuditHost.Banner.Name, Console.Error,
            message => new ServiceConfigurationException(message)); // tokens from Identity; the auditor role from the token
        builder.Services.AddAuditChain(builder.Configuration, settings); // hash chain, signing keys, emitters' keys, checkpoints, verifier
        builder.AddAuditIngestion(settings);           // topic chronicle.audit -> the chain, each entry once
        builder.Services.AddAuditQueries();            // query tables projected from the chain; FHIR AuditEvent API
        builder.Services.AddAuditReplay();             // the Record's history and as-at record over service invocation
        builder.Services.AddAuditHealth();             // ready when the query tables hold the chain (/readyz, grpc.health.v1)
        builder.Services.AddHttpEdgeLimits();          // request body and request line limits (libs/Fhir HttpEdges)

        var app = builder.Build();
        app.UseFhirHttpEdges();                        // links name the gateway when one is in front; limits; errors with bodies
        app.UseChronicleSecurity();                    // authentication, then authorization (inside the auditing)
        app.MapServiceDefaults();                      // /healthz, /readyz, grpc.health.v1, reflection
        app.MapAppCallback();
        app.MapAuditFhir();
        app.MapAuditApi();
        return app;
    }
}
