using Chronicle.Contracts.IntegrationEvents.Identity;
using Chronicle.Messaging;
using Chronicle.Messaging.Receiving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using V1 = Chronicle.Contracts.IntegrationEvents.Identity.IdentityIntegrationEventsV1;

namespace Chronicle.Security;

public static class AccessChangeSubscriptions
{
    /// <summary>
    /// Subscribes to Identity's access changes (topic <see cref="IdentityTopics.Identity"/>) and drops the reused access
    /// answers each one touches, so a disabled module or a moved registration is refused on the next request. Every
    /// service that checks patient access through <see cref="IdentityPatientAccessChecker"/> calls this.
    /// </summary>
    public static MessagingBuilder DropAccessAnswersOnIdentityChanges(this MessagingBuilder messaging)
    {
        ArgumentNullException.ThrowIfNull(messaging);
        messaging.Services.AddMemoryCache();
        messaging.Services.TryAddSingleton<AccessAnswerCache>();
        return messaging.AddIntegrationEvents(IdentityIntegrationEventsJsonContext.Catalog())
            .Subscribe<V1.ModuleAccessChanged, AccessAnswerInvalidation>()
            .Subscribe<V1.PatientRegistrationChanged, AccessAnswerInvalidation>();
    }
}

/// <summary>
/// Drops the answers an access change touches. Its effect is in memory only: a redelivered change drops again (harmless),
/// and a restarted service has no answers to drop.
/// </summary>
public sealed class AccessAnswerInvalidation(AccessAnswerCache cache)
    : IIntegrationEventHandler<V1.ModuleAccessChanged>, IIntegrationEventHandler<V1.PatientRegistrationChanged>
{
    public Task HandleAsync(V1.ModuleAccessChanged integrationEvent, IncomingEventContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        cache.DropClient(integrationEvent.ClientId);
        return Task.CompletedTask;
    }

    public Task HandleAsync(V1.PatientRegistrationChanged integrationEvent, IncomingEventContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        cache.DropPatient(integrationEvent.PatientId);
        return Task.CompletedTask;
    }
}
