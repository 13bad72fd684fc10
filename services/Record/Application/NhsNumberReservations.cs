using Chronicle.EventStore;
using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Application;

/// <summary>The registration event as it is to be appended to the patient's stream: its id, content and provenance.</summary>
internal sealed record RegistrationToStore(Guid EventId, PatientRegistered Registration, EventMetadata Metadata)
{
    public PatientId PatientId => new(Registration.PatientId);

    public NhsNumber NhsNumber => NhsNumber.Parse(Registration.NhsNumber);
}

internal enum NhsNumberClaim
{
    /// <summary>The number is reserved for this registration's patient: append the registration.</summary>
    Held,

    /// <summary>Another patient is registered with the number.</summary>
    HeldByAnotherPatient,

    /// <summary>The reservation's id (derived from the command id) is taken by another event: the command id was re-used.</summary>
    CommandIdReused,
}

/// <summary>
/// One stream per NHS number (<see cref="RecordStreams.NhsNumberReservation"/>) says who holds it: its last event, a
/// reservation for one patient (or a release, which frees the number). A registration reserves the number (an append at
/// the stream's version, so two registrations can never both hold it), then appends to the patient's stream; no
/// transaction spans both streams, so the reservation is the lock and the registration is what makes it stick.
/// <para>
/// A reservation counts as held only when its patient's stream starts with that registration. Whoever finds it
/// otherwise (the next registration of the number, or the registration itself when its append was refused) settles it:
/// <list type="bullet">
/// <item>the patient's stream does not exist: the registration was interrupted (a crash, a cancelled call, a lost
/// connection). It is completed from the reservation, which carries it: the same event id, content and metadata the
/// registration appends, so whichever of the two appends comes second is a no-op (the store is idempotent by event
/// id) or is refused because the stream exists, and the registration's own retry answers from the stored event.</item>
/// <item>the patient's stream exists and starts with something else (the patient id was taken in between), or the
/// completion is refused (an event the store can never take, an event id used elsewhere), or the reservation is one
/// written before reservations carried their registration: the registration can never be stored, so the number is
/// released, at the reservation's version (a release and a completion racing each other: one of them is refused).</item>
/// </list>
/// Crash-safe because a reservation is only ever released once its registration can never be appended (the patient's
/// stream exists, streams are never deleted, and a registration is appended with <see cref="ExpectedVersion.NoStream"/>),
/// and is otherwise completed, never waited for: a crash at any point leaves a reservation the next registration of the
/// number settles, so no number stays reserved without a registered patient holding it.
/// </para>
/// </summary>
internal static class NhsNumberReservations
{
    private static readonly EventTypeRegistry Registry = PatientRecordState.EventTypes;

    // Each round is decided by an append that succeeded (someone's); this many in a row means heavy contention.
    private const int MaxRounds = 10;

    /// <summary>Reserves the registration's NHS number for its patient, settling a reservation left by an earlier registration first.</summary>
    public static async Task<NhsNumberClaim> ClaimNhsNumberAsync(this IEventStore store, RegistrationToStore registration, Guid commandId,
        CancellationToken cancellationToken)
    {
        var nhsNumber = registration.NhsNumber;
        var stream = RecordStreams.NhsNumberReservation(nhsNumber);
        for (var round = 0; round < MaxRounds; round++)
        {
            var history = await store.ReadWholeStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            var last = history.Count > 0 ? history[^1] : null;
            if (last is not null && Registry.Deserialize(last) is NhsNumberReserved reserved)
            {
                // Held for this patient already: a retry after a crash, or another command for the same patient id,
                // which the patient's stream will decide between.
                if (reserved.PatientId == registration.Registration.PatientId)
                    return NhsNumberClaim.Held;
                if (await SettleAsync(store, last, reserved, registration.Metadata, cancellationToken).ConfigureAwait(false))
                    return NhsNumberClaim.HeldByAnotherPatient;
                continue;
            }

            // The number is free: never reserved, or released. A reservation id per position, so a command whose earlier
            // reservation was released reserves again instead of being taken for an idempotent re-send of that one.
            var reservationId = history.Count == 0
                ? DerivedIds.NhsNumberReservation(commandId)
                : DerivedIds.Create(commandId, $"nhs-number-reservation/{history.Count}");
            var reservation = Registry.ToEventData(reservationId,
                new NhsNumberReserved(nhsNumber.Value, registration.Registration.PatientId, registration.EventId, registration.Registration),
                registration.Metadata);
            try
            {
                await store.AppendAsync(stream, last is null ? ExpectedVersion.NoStream : ExpectedVersion.Exact(last.StreamVersion),
                    [reservation], cancellationToken).ConfigureAwait(false);
                return NhsNumberClaim.Held;
            }
            catch (WrongExpectedVersionException)
            {
            }
            catch (EventIdConflictException)
            {
                // The same command racing itself stores the id here; anywhere else, the command id was used for another command.
                var now = await store.ReadWholeStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!now.Any(e => e.EventId == reservationId))
                    return NhsNumberClaim.CommandIdReused;
            }
        }

        throw new RecordStateException($"NHS number {nhsNumber.Formatted} is being registered by other requests at the same time; try again.");
    }

    /// <summary>
    /// After a registration was refused (or failed in a way the store reported): settles its reservation, so that it is
    /// released unless the patient holds the number after all. Best effort: when it cannot finish, the next registration
    /// of the number settles the reservation instead.
    /// </summary>
    public static async Task SettleAfterFailedRegistrationAsync(this IEventStore store, NhsNumber nhsNumber, EventMetadata metadata,
        CancellationToken cancellationToken)
    {
        var stream = RecordStreams.NhsNumberReservation(nhsNumber);
        for (var round = 0; round < MaxRounds; round++)
        {
            var history = await store.ReadWholeStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (history.Count == 0 || Registry.Deserialize(history[^1]) is not NhsNumberReserved reserved
                || await SettleAsync(store, history[^1], reserved, metadata, cancellationToken).ConfigureAwait(false))
                return;
        }
    }

    /// <summary>
    /// True when the reservation is held (its patient's stream starts with its registration). Otherwise completes or
    /// releases it and returns false: the caller reads the reservation stream again.
    /// </summary>
    private static async Task<bool> SettleAsync(IEventStore store, RecordedEvent recorded, NhsNumberReserved reserved, EventMetadata metadata,
        CancellationToken cancellationToken)
    {
        var patient = new PatientId(reserved.PatientId);
        var first = await store.ReadStreamAsync(patient.StreamName, new StreamReadOptions { FromVersion = 0, MaxCount = 1 }, cancellationToken)
            .ConfigureAwait(false);
        if (first.Count > 0)
        {
            if (Registry.Deserialize(first[0]) is PatientRegistered registered
                && registered.PatientId == reserved.PatientId && registered.NhsNumber == reserved.NhsNumber)
                return true;
            await ReleaseAsync(store, recorded, reserved, $"patient id {patient} was registered by another registration", metadata, cancellationToken)
                .ConfigureAwait(false);
            return false;
        }

        if (reserved is not { RegistrationEventId: { } eventId, Registration: { } registration })
        {
            await ReleaseAsync(store, recorded, reserved, "the reservation's registration was never stored", metadata, cancellationToken)
                .ConfigureAwait(false);
            return false;
        }

        try
        {
            await store.AppendAsync(patient.StreamName, ExpectedVersion.NoStream, [Registry.ToEventData(eventId, registration, recorded.Metadata)],
                cancellationToken).ConfigureAwait(false);
        }
        catch (WrongExpectedVersionException)
        {
            // Stored meanwhile, by the registration itself or another: the next round looks at what it is.
        }
        catch (Exception e) when (e is InvalidAppendException or EventIdConflictException)
        {
            if (!(await store.GetStreamStateAsync(patient.StreamName, cancellationToken).ConfigureAwait(false)).Exists)
                await ReleaseAsync(store, recorded, reserved, $"its registration cannot be stored: {e.Message}", metadata, cancellationToken)
                    .ConfigureAwait(false);
        }

        return false;
    }

    private static async Task ReleaseAsync(IEventStore store, RecordedEvent recorded, NhsNumberReserved reserved, string reason,
        EventMetadata metadata, CancellationToken cancellationToken)
    {
        var release = Registry.ToEventData(DerivedIds.Create(recorded.EventId, "released"),
            new NhsNumberReservationReleased(reserved.NhsNumber, reserved.PatientId, reason), metadata);
        try
        {
            await store.AppendAsync(recorded.StreamId, ExpectedVersion.Exact(recorded.StreamVersion), [release], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WrongExpectedVersionException or EventIdConflictException)
        {
            // Someone else settled it first (the release id is derived from the reservation's, so theirs is this one).
        }
    }
}
