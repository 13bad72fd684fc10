using System.Collections.Immutable;
using Chronicle.EventStore;

namespace Chronicle.Record.Domain;

/// <summary>
/// A patient's record folded from its events. <see cref="Version"/> is the stream version of the last
/// event folded (-1 before registration), which is what callers pass back as their expected version.
/// </summary>
public sealed record PatientRecordState : IStreamState<PatientRecordState>
{
    public static PatientRecordState Initial { get; } = new();

    /// <summary>The record's one event catalogue (<see cref="RecordEventsV1"/>).</summary>
    public static EventTypeRegistry EventTypes { get; } = RecordEventsJsonContext.CreateRegistry();

    public static PatientRecordState Evolve(PatientRecordState state, object @event) => PatientRecordDecider.Evolve(state, @event);

    public bool Exists { get; init; }
    public PatientId PatientId { get; init; }
    public NhsNumber? NhsNumber { get; init; }
    public Demographics? Demographics { get; init; }
    public string? GeneralPracticeOds { get; init; }
    public long Version { get; init; } = -1;
    public ImmutableDictionary<Guid, RecordEntry> Entries { get; init; } = ImmutableDictionary<Guid, RecordEntry>.Empty;
    public ImmutableDictionary<Guid, EncounterRecord> Encounters { get; init; } = ImmutableDictionary<Guid, EncounterRecord>.Empty;

    /// <summary>True when <paramref name="id"/> already names an entry or an encounter of this record.</summary>
    public bool HasId(Guid id) => Entries.ContainsKey(id) || Encounters.ContainsKey(id);

    public IEnumerable<RecordEntry> EntriesInRecordedOrder => Entries.Values.OrderBy(e => e.RecordedVersion);

    public IEnumerable<EncounterRecord> EncountersInRecordedOrder => Encounters.Values.OrderBy(e => e.RecordedVersion);
}

/// <summary>
/// One entry of the record. <see cref="Recorded"/> is the event that recorded it, unchanged
/// (a ProblemAdded, ObservationRecorded, …); later events change only the status fields.
/// </summary>
public sealed record RecordEntry(Guid EntryId, Guid EncounterId, EntryKind Kind, object Recorded, long RecordedVersion)
{
    /// <summary>Problems only: active | resolved, as it stands now.</summary>
    public string? ClinicalStatus { get; init; }

    /// <summary>Problems only: when it resolved.</summary>
    public DateOnly? Resolved { get; init; }

    public bool EnteredInError { get; init; }
    public string? EnteredInErrorReason { get; init; }
}

public sealed record EncounterRecord(RecordEventsV1.ConsultationRecorded Consultation, long RecordedVersion)
{
    public Guid EncounterId => Consultation.EncounterId;
    public bool EnteredInError { get; init; }
    public string? EnteredInErrorReason { get; init; }
}
