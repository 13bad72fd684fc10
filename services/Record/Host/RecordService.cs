using Chronicle.Auditing;
using Chronicle.Fhir.Http;
using Chronicle.Record.Fhir.Api;
using Chronicle.Record.Grpc;
using Chronicle.Record.Messaging;
using Chronicle.Security;
using Chronicle.ServiceDefaults;
using Microsoft.AspNetCore.Builder;

namespace Chronicle.Record.Host;

public static class RecordService
{
    /// <summary>What the Record service is made of. The host has opened the storage and registered it.</summary>
    public static WebApplication Compose(WebApplicationBuilder builder, RecordHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults(RecordMessagingExtensions.AppId); // telemetry (OTLP when an endpoint is set), gRPC health and reflection
        builder.AddRecordListeners(settings);          // FHIR + health on HTTP/1.1, gRPC on h2c
        builder.Services.AddChronicleSecurityOrOptOut(builder.Configuration, RecordHost.Banner.Name, Console.Error,
            message => new ServiceConfigurationException(message)); // tokens from Identity: scopes, patient relationships (asked by service invocation)
        builder.Services.AddRecordCommands();          // chronicle.record.v1 over gRPC
        builder.Services.AddRecordStateCache(settings); // folded records kept between commands
        builder.Services.AddRecordReadYourWrites();    // a command's reply waits for the FHIR read model
        builder.Services.AddRecordFhir();              // FHIR R4 read side and its projection
        builder.Services.AddRecordHealth();            // /healthz, /readyz
        builder.Services.AddAuditing("record");        // every declared access audited before it is answered, refusals too; outermost, before security
        builder.Services.AddAuditSigning(builder.Configuration, settings.DataDirectory); // the key the outbox relay signs audit entries with
        builder.AddRecordMessaging(settings);          // facts and audit entries published from the store (outbox relay)

        var app = builder.Build();
        app.UseFhirHttpEdges();                        // links name the gateway when one is in front; limits; errors with bodies
        app.UseChronicleSecurity();                    // authentication, then authorization (inside the auditing)
        app.MapServiceDefaults();                      // /healthz, /readyz, grpc.health.v1, gRPC reflection
        app.MapRecordGrpc();
        app.MapRecordFhir();
        app.MapRecordMessaging();                      // Dapr app callback, auditors' replay over service invocation
        return app;
    }
}
