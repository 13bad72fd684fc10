using Chronicle.EventStore;
using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Application;

/// <summary>
/// The outcome of a command. <see cref="LogPosition"/> is where its last event sits in the global log:
/// a read model caught up to it shows the change, which is how a caller reads its own writes.
/// </summary>
public sealed record RecordChanged(PatientId PatientId, long Version, LogPosition LogPosition, Guid? EncounterId, IReadOnlyList<Guid> EntryIds)
{
    internal static RecordChanged From(PatientId patientId, IReadOnlyList<object> events, long version, LogPosition logPosition) => new(
        patientId,
        version,
        logPosition,
        events.OfType<ConsultationRecorded>().Select(e => (Guid?)e.EncounterId).FirstOrDefault(),
        events.Select(CreatedEntryId).OfType<Guid>().ToArray());

    private static Guid? CreatedEntryId(object @event) => (@event as IEntryRecorded)?.EntryId;
}
