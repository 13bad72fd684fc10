using System.Net;
using Chronicle.Audit.Api;
using Chronicle.Audit.Chain;
using Chronicle.Audit.Fhir;
using Chronicle.Audit.Ingestion;
using Chronicle.Audit.Queries;
using Chronicle.Auditing;
using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.Contracts.Record.V1;
using Chronicle.EventStore;
using Chronicle.Fhir.Http;
using Chronicle.Messaging;
using Chronicle.Messaging.Invocation;
using Chronicle.Projections;
using Chronicle.Security;
using Chronicle.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chronicle.Audit.Host;

/// <summary>The pieces <c>Program.cs</c> assembles the Audit service from.</summary>
public static class AuditHostExtensions
{
    public const string AppId = "audit";
    public const string LivenessPath = ServiceHealth.LivenessPath;
    public const string ReadinessPath = ServiceHealth.ReadinessPath;

    /// <summary>HTTP/1.1 for the FHIR, verify and replay APIs and health; HTTP/2 cleartext for Dapr's app callback.</summary>
    public static WebApplicationBuilder AddAuditListeners(this WebApplicationBuilder builder, AuditHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ServiceListeners.AddTo(builder, settings.ListenAnyIp, settings.HttpPort, settings.GrpcPort);
        return builder;
    }

    /// <summary>
    /// The hash chain in the service's own store, with the checkpoint signing key from the data directory (created on
    /// first start), periodic signed checkpoints, the verifier trusting that key and every emitter's public keys, and the
    /// ingestor every entry enters by. The Audit service's own audit trail appends straight to the chain, signed with the
    /// service's own audit signing key (<c>Chronicle:Auditing:SigningKey</c>, like every emitter's), which the ingestion
    /// and the verifier trust for service "audit".
    /// </summary>
    public static IServiceCollection AddAuditChain(this IServiceCollection services, IConfiguration configuration, AuditHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddAuditSigning(configuration, settings.DataDirectory, out var own); // a key it cannot use: exit 2 from the host

        if (settings.RequireEmitterKeys && settings.EmitterPublicKeys.Keys.All(service => service == AppId))
            throw new ServiceConfigurationException(
                $"No emitter keys are configured ({AuditHostSettings.EmittersSection}:<service>:PublicKeys): under Dapr every entry delivered would be refused. " +
                "Give the Audit service each emitting service's public key (see k8s/README.md).");
        services.AddSingleton(EmitterKeys(settings, own));
        services.AddSingleton(_ =>
        {
            var signer = CheckpointSigner.LoadOrCreate(settings.SigningKeyPath);
            // The public half, for auditors to keep apart from the service and hand to `verify --key`.
            if (!File.Exists(settings.PublicKeyPath))
                File.WriteAllText(settings.PublicKeyPath, new string(System.Security.Cryptography.PemEncoding.Write("PUBLIC KEY", signer.PublicKey)) + "\n");
            return signer;
        });
        services.AddSingleton(provider => new AuditLog(provider.GetRequiredService<IEventStore>(), provider.GetRequiredService<CheckpointSigner>()));
        services.AddSingleton(provider => new TrustedCheckpointKeys([provider.GetRequiredService<CheckpointSigner>().PublicKey]));
        services.AddSingleton<AuditChainVerifier>();
        services.AddSingleton<AuditIngestor>();
        services.AddSingleton<IAuditTrail, SelfAuditTrail>();
        // Every use of the service (FHIR AuditEvent API and /audit API), refusals included, into its own chain.
        services.AddAuditing(AppId);
        services.AddSingleton(new CheckpointSchedule(settings.CheckpointEveryEntries, settings.CheckpointInterval));
        services.AddHostedService<CheckpointScheduler>();
        return services;
    }

    private static AuditEmitterKeys EmitterKeys(AuditHostSettings settings, AuditSigningKey own)
    {
        var keys = new AuditEmitterKeys();
        try
        {
            foreach (var (service, publicKeys) in settings.EmitterPublicKeys)
            {
                foreach (var key in publicKeys)
                    keys.Add(service, key);
            }

            return keys.Add(AppId, own.PublicKey);
        }
        catch (ArgumentException e)
        {
            throw new ServiceConfigurationException($"{AuditHostSettings.EmittersSection}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Subscribes to every service's audit entries (topic chronicle.audit, bulk subscribe) and chains each once; and to
    /// Identity's access changes, so any patient check made here through libs/Security sees a change at once.
    /// </summary>
    public static WebApplicationBuilder AddAuditIngestion(this WebApplicationBuilder builder, AuditHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        // The direct broker's queue and the key files are created in the data directory: narrowed to 0600 once started.
        builder.Services.AddPrivateDataDirectory(settings.DataDirectory);
        builder.Services.AddChronicleMessaging(builder.Configuration, AppId, settings.DataDirectory)
            .AddIntegrationEvents(AuditIntegrationEventsJsonContext.Catalog())
            .SubscribeBatches<AuditIntegrationEventsV1.AuditEntryRecorded, AuditEntryRecordedHandler>()
            .BulkSubscribe<AuditIntegrationEventsV1.AuditEntryRecorded>(AuditEntryRecordedHandler.Bulk)
            .DropAccessAnswersOnIdentityChanges();
        return builder;
    }

    /// <summary>The query tables (a projection of the chain) and the FHIR AuditEvent API over them.</summary>
    public static IServiceCollection AddAuditQueries(this IServiceCollection services)
    {
        services.AddProjection<AuditQueryProjection>();
        services.AddSingleton<AuditQueryReadModel>();
        services.AddSingleton<AuditFhirApi>();
        services.AddSingleton<FhirEndpointFilter>();
        return services;
    }

    /// <summary>Replay from the Record service over service invocation (Dapr, or the direct transport's Chronicle:Apps:record:Grpc).</summary>
    public static IServiceCollection AddAuditReplay(this IServiceCollection services)
    {
        services.AddServiceClient<PatientRecord.PatientRecordClient>("record",
            client => client.IdempotentMethods.Add("/chronicle.record.v1.PatientRecord/GetHistory"));
        services.AddServiceClient<RecordReplay.RecordReplayClient>("record",
            client => client.IdempotentMethods.Add("/chronicle.record.v1.RecordReplay/GetFhirRecordAsAt"));
        services.AddSingleton<RecordReplayClient>();
        return services;
    }

    public static IServiceCollection AddAuditHealth(this IServiceCollection services)
    {
        return services.AddReadinessCheck<AuditReadiness>("audit-queries");
    }
}

/// <summary>Ready when the query tables hold every chained entry: until then a search could miss recent accesses.</summary>
internal sealed class AuditReadiness(AuditQueryReadModel queries) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var lag = await queries.GetLagAsync(cancellationToken).ConfigureAwait(false);
        return lag.EventsBehind == 0
            ? HealthCheckResult.Healthy("The query tables hold the whole chain.")
            : HealthCheckResult.Unhealthy($"The query tables are {lag.EventsBehind} events behind the chain.");
    }
}

