using Chronicle.Auditing;
using Chronicle.Fhir.Http;
using Chronicle.Record.Fhir;
using Chronicle.Record.Grpc;
using Chronicle.Record.Host;
using Chronicle.Record.Messaging;
using Chronicle.Security;

// `serve` (the default; `--demo N` seeds synthetic patients into an empty store) or
// `generate --patients N [--seed S] [--today yyyy-MM-dd]`; `--help` lists the settings.
return await RecordCommandLine.RunAsync(args, ComposeRecordService);

// What the Record service is made of. The command line has opened the storage and registered it.
static WebApplication ComposeRecordService(WebApplicationBuilder builder, RecordHostSettings settings)
{
    builder.AddRecordListeners(settings);          // FHIR + health on HTTP/1.1, gRPC on h2c
    var secured = builder.Services.AddChronicleSecurityOrOptOut(builder.Configuration, "Chronicle Record", Console.Error,
        message => new RecordConfigurationException(message)); // tokens from Identity: scopes, patient relationships (asked by service invocation)
    if (secured)                                   // audit first, then security (its decision goes into the audit entry)
        builder.Services.AddGrpc(o => o.AddChronicleSecurity());
    builder.Services.AddRecordCommands();          // chronicle.record.v1 over gRPC
    builder.Services.AddRecordReadYourWrites();    // a command's reply waits for the FHIR read model
    builder.Services.AddRecordFhir();              // FHIR R4 read side and its projection
    builder.Services.AddRecordHealth();            // /healthz, /readyz
    builder.Services.AddAuditing("record");        // every declared access to patient data audited before it is answered, refusals too
    builder.AddRecordMessaging(settings);          // facts and audit entries published from the store (outbox relay)

    var app = builder.Build();
    app.UseFhirHttpEdges();                        // links name the gateway when one is in front; limits; errors with bodies
    if (secured)
        app.UseChronicleSecurity();                // authentication, then authorization (inside the auditing above)
    app.MapRecordHealth();
    app.MapRecordGrpc();
    app.MapRecordFhir();
    app.MapRecordMessaging();                      // Dapr app callback, auditors' replay over service invocation
    return app;
}
