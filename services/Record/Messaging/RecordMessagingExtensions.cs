using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Messaging;
using Chronicle.Record.Host;
using Chronicle.Security;
using Chronicle.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Record.Messaging;

public static class RecordMessagingExtensions
{
    public const string AppId = "record";

    /// <summary>
    /// Publishes the Record's committed facts and audit entries through the outbox relay, from its own event store, and
    /// hears Identity's access changes.
    /// The transport comes from <c>Chronicle:Transport</c>; under the direct transport an app that no one subscribes to
    /// (no <c>Chronicle:Apps</c> configured) accepts every publish at once and delivers nothing, so the Record runs alone.
    /// </summary>
    public static WebApplicationBuilder AddRecordMessaging(this WebApplicationBuilder builder, RecordHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        // The direct broker's queue is created in the data directory by the messaging library: narrowed to 0600 once started.
        builder.Services.AddPrivateDataDirectory(settings.DataDirectory);
        builder.Services.AddChronicleMessaging(builder.Configuration, AppId, settings.DataDirectory)
            .AddIntegrationEvents(RecordIntegrationEventsJsonContext.Catalog())
            .AddIntegrationEvents(AuditIntegrationEventsJsonContext.Catalog())
            .DropAccessAnswersOnIdentityChanges()   // a disabled module or a moved registration bites on the next request
            .AddOutboxRelay<RecordIntegrationEventMapper>();
        return builder;
    }

    /// <summary>Dapr's app callback and the replay service auditors reach through service invocation.</summary>
    public static IEndpointRouteBuilder MapRecordMessaging(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAppCallback();
        endpoints.MapGrpcService<RecordReplayGrpcService>();
        return endpoints;
    }
}
