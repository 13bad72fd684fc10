using Chronicle.EventStore;
using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Application;

/// <summary>
/// One stream per NHS number (<see cref="RecordStreams.NhsNumberReservation"/>), holding the single reservation that
/// ties the number to a patient. It is appended with <see cref="ExpectedVersion.NoStream"/> before the registration,
/// so two patients can never share a number, whoever registers them (a command or the synthetic data writer).
/// </summary>
internal static class NhsNumberReservations
{
    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();

    /// <summary>
    /// Claims <paramref name="nhsNumber"/> for <paramref name="patientId"/> and returns who holds it afterwards: this
    /// patient (a new claim, or theirs from an earlier try), another patient, or null when the reservation stream
    /// holds something else under <paramref name="reservationId"/> (the id was used for another claim).
    /// </summary>
    public static async Task<Guid?> ClaimNhsNumberAsync(this IEventStore store, NhsNumber nhsNumber, Guid patientId, Guid reservationId,
        EventMetadata metadata, CancellationToken cancellationToken)
    {
        var stream = RecordStreams.NhsNumberReservation(nhsNumber);
        var reservation = Registry.ToEventData(reservationId, new NhsNumberReserved(nhsNumber.Value, patientId), metadata);
        try
        {
            await store.AppendAsync(stream, ExpectedVersion.NoStream, [reservation], cancellationToken).ConfigureAwait(false);
            return patientId;
        }
        catch (Exception e) when (e is WrongExpectedVersionException or EventIdConflictException)
        {
            var holder = (await store.ReadWholeStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false))
                .Select(Registry.Deserialize).OfType<NhsNumberReserved>().FirstOrDefault();
            return holder?.PatientId;
        }
    }
}
