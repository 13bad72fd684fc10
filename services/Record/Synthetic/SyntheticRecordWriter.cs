using Chronicle.EventStore;
using Chronicle.Record.Application;
using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Synthetic;

/// <param name="Patients">How many patients were asked for.</param>
/// <param name="Written">Patients whose record this run stored.</param>
/// <param name="AlreadyPresent">Patients whose record the store already held (an earlier run with the same seed).</param>
/// <param name="NhsNumberTaken">Patients left out because their NHS number is registered to another patient.</param>
/// <param name="RecordEvents">Events this run stored on patients' streams (their NHS number reservations not counted).</param>
public sealed record SyntheticWriteSummary(int Patients, int Written, int AlreadyPresent, int NhsNumberTaken, long RecordEvents);

/// <summary>
/// Stores synthetic patients the way registration and later commands would have: the NHS number is reserved first, with
/// the registration (<see cref="NhsNumberReservations"/>), then the patient's whole history goes to their stream in one append with
/// event ids derived from each <see cref="SyntheticAppend.CommandId"/>. A patient whose stream exists is left alone,
/// so writing the same seed again adds nothing, and a half-finished earlier run is completed.
/// </summary>
public sealed class SyntheticRecordWriter(IEventStore store)
{
    private static readonly EventTypeRegistry Registry = PatientRecordState.EventTypes;

    public async Task<SyntheticWriteSummary> WriteAsync(SyntheticRecords records, int patients, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfNegative(patients);
        var summary = new SyntheticWriteSummary(patients, 0, 0, 0, 0);
        for (var index = 0; index < patients; index++)
        {
            var (outcome, appended) = await WritePatientAsync(records.Patient(index), cancellationToken).ConfigureAwait(false);
            summary = outcome switch
            {
                PatientOutcome.Written => summary with { Written = summary.Written + 1 },
                PatientOutcome.AlreadyPresent => summary with { AlreadyPresent = summary.AlreadyPresent + 1 },
                _ => summary with { NhsNumberTaken = summary.NhsNumberTaken + 1 },
            };
            summary = summary with { RecordEvents = summary.RecordEvents + appended };
        }

        return summary;
    }

    /// <summary>Stores one patient's history (e.g. <see cref="SyntheticRecords.Patient(int, Guid, string)"/>) unless the record exists.</summary>
    /// <returns>Whether it was written now.</returns>
    public async Task<bool> WriteAsync(IReadOnlyList<SyntheticAppend> patient, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        return (await WritePatientAsync(patient, cancellationToken).ConfigureAwait(false)).Outcome == PatientOutcome.Written;
    }

    private async Task<(PatientOutcome Outcome, int Appended)> WritePatientAsync(IReadOnlyList<SyntheticAppend> appends, CancellationToken cancellationToken)
    {
        var registration = appends[0];
        var registered = (PatientRegistered)registration.Events[0];
        var stream = new PatientId(registered.PatientId).StreamName;
        if ((await store.GetStreamStateAsync(stream, cancellationToken).ConfigureAwait(false)).Exists)
            return (PatientOutcome.AlreadyPresent, 0);

        var events = appends
            .SelectMany(append => append.Events.Select((e, i) => Registry.ToEventData(DerivedIds.Event(append.CommandId, i), e, append.Metadata)))
            .ToArray();
        var claim = await store.ClaimNhsNumberAsync(new RegistrationToStore(events[0].EventId, registered, registration.Metadata),
            registration.CommandId, cancellationToken).ConfigureAwait(false);
        if (claim != NhsNumberClaim.Held)
            return (PatientOutcome.NhsNumberTaken, 0);

        try
        {
            await store.AppendAsync(stream, ExpectedVersion.NoStream, events, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WrongExpectedVersionException or EventIdConflictException)
        {
            // Another writer stored this patient since the check above; or the registration alone, completed from its
            // reservation by another registration of the number after this writer was interrupted: then the rest follows it.
            var stored = await store.ReadStreamAsync(stream, new StreamReadOptions { FromVersion = 0, MaxCount = 2 }, cancellationToken).ConfigureAwait(false);
            if (stored.Count != 1 || stored[0].EventId != events[0].EventId || events.Length == 1)
                return (PatientOutcome.AlreadyPresent, 0);
            await store.AppendAsync(stream, ExpectedVersion.Exact(0), events[1..], cancellationToken).ConfigureAwait(false);
            return (PatientOutcome.Written, events.Length - 1);
        }

        return (PatientOutcome.Written, events.Length);
    }

    private enum PatientOutcome
    {
        Written,
        AlreadyPresent,
        NhsNumberTaken,
    }
}
