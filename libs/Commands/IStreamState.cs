using Chronicle.EventStore;

namespace Chronicle.Commands;

/// <summary>
/// The state of one kind of stream, folded from its events: where a fold starts, how one event changes it (a pure
/// function), and the catalogue its stored events are read with. Static, so a <see cref="FoldedStream{TState}"/> needs
/// nothing but its events.
/// </summary>
public interface IStreamState<TState> where TState : class, IStreamState<TState>
{
    /// <summary>The state of a stream with no events.</summary>
    static abstract TState Initial { get; }

    /// <summary>The state after <paramref name="event"/>; never changes <paramref name="state"/>.</summary>
    static abstract TState Evolve(TState state, object @event);

    /// <summary>Every event type of the stream, under its persisted name: the service's one event catalogue.</summary>
    static abstract EventTypeRegistry EventTypes { get; }
}
