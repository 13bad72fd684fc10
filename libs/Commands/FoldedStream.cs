using System.Collections.Immutable;
using Chronicle.EventStore;

namespace Chronicle.Commands;

/// <summary>
/// A stream's state folded from its first events, with what it takes to carry on from there: the id of the last event
/// folded (to check that the stream still starts with the events folded) and the id of every event folded (to recognise
/// a command whose events are already stored without reading the stream again). Immutable, so a cached one can be
/// shared by commands in flight.
/// </summary>
public sealed record FoldedStream<TState> where TState : class, IStreamState<TState>
{
    public static FoldedStream<TState> Empty { get; } = new();

    private FoldedStream()
    {
    }

    public TState State { get; private init; } = TState.Initial;

    /// <summary>The stream version of the last event folded (-1 when none).</summary>
    public long Version { get; private init; } = -1;

    /// <summary>True once an event is folded: the stream exists.</summary>
    public bool Exists => Version >= 0;

    /// <summary>The id of the event at <see cref="Version"/>; empty when none.</summary>
    public Guid LastEventId { get; private init; }

    public ImmutableHashSet<Guid> EventIds { get; private init; } = [];

    /// <summary>True when an event with this id is among those folded.</summary>
    public bool Contains(Guid eventId) => EventIds.Contains(eventId);

    public static FoldedStream<TState> From(IEnumerable<RecordedEvent> history) => Empty.Extend(history);

    /// <summary>This fold with <paramref name="events"/> folded on, which must be the stream's next events in order.</summary>
    public FoldedStream<TState> Extend(IEnumerable<RecordedEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var state = State;
        var version = Version;
        var lastEventId = LastEventId;
        var ids = EventIds.ToBuilder();
        var registry = TState.EventTypes;
        foreach (var recorded in events)
        {
            if (recorded.StreamVersion != version + 1)
                throw new InvalidOperationException(
                    $"Event {recorded.EventId} is at version {recorded.StreamVersion} of '{recorded.StreamId}', but the stream folded so far is at {version}.");
            state = TState.Evolve(state, registry.Deserialize(recorded));
            version = recorded.StreamVersion;
            lastEventId = recorded.EventId;
            ids.Add(recorded.EventId);
        }

        return version == Version ? this : new FoldedStream<TState> { State = state, Version = version, LastEventId = lastEventId, EventIds = ids.ToImmutable() };
    }
}
