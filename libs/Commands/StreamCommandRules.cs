using Chronicle.EventStore;

namespace Chronicle.Commands;

/// <summary>
/// What a service tells <see cref="StreamCommandHandler{TState, TCommand}"/> about its commands: the stream each acts
/// on, the pure decision, and the refusals in the service's own words. The hooks have defaults, so a service with no
/// side steps writes two members.
/// </summary>
public abstract class StreamCommandRules<TState, TCommand>
    where TState : class, IStreamState<TState>
    where TCommand : notnull
{
    /// <summary>The stream the command acts on.</summary>
    public abstract string StreamOf(TCommand command);

    /// <summary>
    /// The events the command produces on a stream in <paramref name="state"/>, or a <see cref="CommandRefusedException"/>.
    /// Pure: the same state, command and time give the same events, which is how a re-sent command is recognised.
    /// </summary>
    public abstract IReadOnlyList<object> Decide(TState state, TCommand command, DateTimeOffset now);

    /// <summary>
    /// Whether a writer that sent no expected version decides again when another writer got in first (it accepts the
    /// stream in whatever state it is). A command that creates its stream has nothing to retry on.
    /// </summary>
    public virtual bool RetriesWhenOvertaken(TCommand command) => true;

    /// <summary>The refusal when the stream is at <paramref name="currentVersion"/>, not the version the caller decided on.</summary>
    public virtual StreamVersionConflictException VersionConflict(TCommand command, string stream, long expectedVersion, long currentVersion) =>
        new(stream, expectedVersion, currentVersion);

    /// <summary>
    /// A refusal to give, instead of a version conflict, when another append got in first and left the stream in
    /// <paramref name="current"/> (e.g. a command that creates its stream, which another command created meanwhile);
    /// null for a version conflict.
    /// </summary>
    public virtual CommandRefusedException? RefusalWhenOvertaken(TCommand command, TState current) => null;

    /// <summary>
    /// A step of the service's own that must happen before the decided events are appended, such as claiming a key
    /// that must be unique across streams. Returns true when it did something <see cref="AfterFailedAppendAsync"/> must
    /// undo if the append then fails; a refusal thrown here leaves nothing appended.
    /// </summary>
    public virtual Task<bool> BeforeAppendAsync(DecidedCommand<TCommand> decided, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>
    /// Undoes <see cref="BeforeAppendAsync"/> after the append was refused or the store failed. Not called on
    /// cancellation (the append may still land); a crash in between is for the service's side step to settle later.
    /// </summary>
    public virtual Task AfterFailedAppendAsync(DecidedCommand<TCommand> decided, Exception failure) => Task.CompletedTask;
}

/// <summary>A command decided and about to be appended: its events, and the same events as they are stored (ids and metadata).</summary>
public sealed record DecidedCommand<TCommand>(TCommand Command, CommandContext Context, string Stream, IReadOnlyList<object> Events,
    IReadOnlyList<EventData> ToAppend);

/// <summary>
/// The outcome of a command: its events, the stream version after them, and where the last sits in the global log (a
/// read model caught up to it shows the change, which is how a caller reads its own writes). A re-sent command gets the
/// outcome of the first time it was handled.
/// </summary>
public sealed record CommandOutcome(string Stream, IReadOnlyList<object> Events, long Version, LogPosition LogPosition);
