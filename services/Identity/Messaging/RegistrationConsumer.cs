using Chronicle.Contracts;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Identity.Directory;
using Chronicle.Messaging.Receiving;

namespace Chronicle.Identity.Messaging;

/// <summary>
/// Keeps Identity's copy of where each patient is registered from the Record service's integration events, so the
/// legitimate-relationship answer never needs Record's database. Idempotent twice over: by the inbox, and by
/// <see cref="RegistrationFacts"/> (event id). Only the Record's events reach it (the dispatcher checks the source), and a
/// registration that disagrees with the one held is refused and dead-lettered, never applied.
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
        // A registration is the first fact of a patient's record; one that claims to come later is not the Record's.
        if (integrationEvent.RecordVersion != 0)
            throw new InvalidIntegrationEventException(
                $"A registration is the first event of a patient's record (version 0); this one names version {integrationEvent.RecordVersion}.");
        try
        {
            await registrations.RecordRegistrationAsync(eventId, integrationEvent.PatientId, integrationEvent.PracticeOds,
                integrationEvent.RecordVersion, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistrationConflictException conflict)
        {
            throw new InvalidIntegrationEventException(conflict.Message);
        }
    }
}
