using System.Collections.Immutable;
using Chronicle.EventStore;
using Chronicle.Record.Domain;

namespace Chronicle.Record.Application;

/// <summary>
/// A patient's record folded from the first events of their stream, with what it takes to carry on from there: the id
/// of the last event folded (to check that the stream still starts with the events folded) and the id of every event
/// folded (to recognise a command whose events are already stored without reading the stream again). Immutable, so a
/// cached one can be shared by commands in flight.
/// </summary>
public sealed record FoldedRecord
{
    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();

    public static FoldedRecord Empty { get; } = new();

    private FoldedRecord()
    {
    }

    public PatientRecordState State { get; private init; } = PatientRecordState.Initial;

    /// <summary>The stream version of the last event folded (-1 when none).</summary>
    public long Version => State.Version;

    /// <summary>The id of the event at <see cref="Version"/>; empty when none.</summary>
    public Guid LastEventId { get; private init; }

    public ImmutableHashSet<Guid> EventIds { get; private init; } = [];

    /// <summary>True when an event with this id is among those folded.</summary>
    public bool Contains(Guid eventId) => EventIds.Contains(eventId);

    public static FoldedRecord From(IEnumerable<RecordedEvent> history) => Empty.Extend(history);

    /// <summary>This record with <paramref name="events"/> folded on, which must be the stream's next events in order.</summary>
    public FoldedRecord Extend(IEnumerable<RecordedEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var state = State;
        var lastEventId = LastEventId;
        var ids = EventIds.ToBuilder();
        foreach (var recorded in events)
        {
            if (recorded.StreamVersion != state.Version + 1)
                throw new InvalidOperationException(
                    $"Event {recorded.EventId} is at version {recorded.StreamVersion} of '{recorded.StreamId}', but the record folded so far is at {state.Version}.");
            state = PatientRecordDecider.Evolve(state, Registry.Deserialize(recorded));
            lastEventId = recorded.EventId;
            ids.Add(recorded.EventId);
        }

        return state.Version == Version ? this : new FoldedRecord { State = state, LastEventId = lastEventId, EventIds = ids.ToImmutable() };
    }
}
