using Chronicle.Contracts;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Identity.Directory;
using Chronicle.Messaging.Receiving;

namespace Chronicle.Identity.Messaging;

/// <summary>
/// Keeps Identity's copy of where each patient is registered from the Record service's integration events, so the
/// legitimate-relationship answer never needs Record's database. Idempotent twice over: by the inbox, and by
/// <see cref="RegistrationFacts"/> (event id and record version).
/// </summary>
public sealed class RegistrationConsumer(RegistrationFacts registrations) : IIntegrationEventHandler<RecordIntegrationEventsV1.PatientRegistered>
{
    public async Task HandleAsync(RecordIntegrationEventsV1.PatientRegistered integrationEvent, IncomingEventContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(integrationEvent);
        ArgumentNullException.ThrowIfNull(context);
        if (!Guid.TryParse(context.EventId, out var eventId))
            throw new InvalidIntegrationEventException($"The CloudEvent id '{context.EventId}' is not a UUID.");
        if (!OdsCode.TryParse(integrationEvent.PracticeOds, out _))
            throw new InvalidIntegrationEventException($"A registration names '{integrationEvent.PracticeOds}', which is not an ODS code.");
        await registrations.RecordRegistrationAsync(eventId, integrationEvent.PatientId, integrationEvent.PracticeOds,
            integrationEvent.RecordVersion, cancellationToken).ConfigureAwait(false);
    }
}
