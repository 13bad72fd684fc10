using Chronicle.EventStore;

namespace Chronicle.Commands;

/// <summary>
/// Runs commands against streams: bring the stream's state up to date (<see cref="StreamStateCache{TState}"/>: the
/// state as last folded plus the events appended since, or the whole stream), check the caller's expected version,
/// decide (pure), append with the version decided on as the store's expected version. A state kept from earlier can
/// only lead to a refused append, never a wrong one; a refused append forgets the kept state. A command re-sent after
/// it succeeded gets its original outcome, because its events carry ids derived from the command id
/// (<see cref="CommandIds.Event"/>) and are found in the stream (or recognised by the store's idempotent append);
/// the command is decided again against the stream as it stood before them, so a command id re-used for a different
/// command is refused (<see cref="CommandIdReusedException"/>) rather than answered with the other command's outcome.
/// </summary>
public sealed class StreamCommandHandler<TState, TCommand>(
    IEventStore store, TimeProvider clock, StreamStateCache<TState> states, StreamCommandRules<TState, TCommand> rules)
    where TState : class, IStreamState<TState>
    where TCommand : notnull
{
    // Writers that do not check a version retry when another writer gets in first; a caller with an
    // expected version is told instead, since what they decided on has changed.
    private const int UncheckedAttempts = 3;

    public async Task<CommandOutcome> HandleAsync(TCommand command, CommandContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryHandleAsync(command, context, cancellationToken).ConfigureAwait(false);
            }
            catch (StreamVersionConflictException) when (context.ExpectedVersion is null && attempt < UncheckedAttempts && rules.RetriesWhenOvertaken(command))
            {
            }
        }
    }

    private async Task<CommandOutcome> TryHandleAsync(TCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        var stream = rules.StreamOf(command);
        var folded = await states.CurrentAsync(store, stream, cancellationToken).ConfigureAwait(false);
        if (folded.Contains(CommandIds.Event(context.CommandId, 0)))
        {
            // This command's events are stored already: answer as the first time did, or refuse a re-used command id.
            var history = await store.ReadWholeStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (PriorOutcome(command, context, stream, history) is { } prior)
                return prior;
            folded = FoldedStream<TState>.From(history);
            states.Evict(stream);
            states.Keep(stream, folded);
        }

        if (folded.Exists && context.ExpectedVersion is { } expected && expected != folded.Version)
            throw rules.VersionConflict(command, stream, expected, folded.Version);

        var events = rules.Decide(folded.State, command, clock.GetUtcNow());
        if (events.Count == 0)
            throw new InvalidOperationException($"{command.GetType().Name} decided no events.");
        var decided = new DecidedCommand<TCommand>(command, context, stream, events, ToEventData(events, context));
        var undo = await rules.BeforeAppendAsync(decided, cancellationToken).ConfigureAwait(false);
        try
        {
            return await AppendAsync(decided, folded, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (undo && e is CommandRefusedException or EventStoreException)
        {
            await rules.AfterFailedAppendAsync(decided, e).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<CommandOutcome> AppendAsync(DecidedCommand<TCommand> decided, FoldedStream<TState> decidedOn, CancellationToken cancellationToken)
    {
        var expectedVersion = decidedOn.Exists ? ExpectedVersion.Exact(decidedOn.Version) : ExpectedVersion.NoStream;
        try
        {
            var result = await store.AppendAsync(decided.Stream, expectedVersion, decided.ToAppend, cancellationToken).ConfigureAwait(false);
            return new CommandOutcome(decided.Stream, decided.Events, result.NextExpectedVersion, result.LastLogPosition);
        }
        catch (Exception e) when (e is WrongExpectedVersionException or EventIdConflictException)
        {
            states.Evict(decided.Stream);
            return await AfterRefusedAppendAsync(decided, decidedOn, e, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Another append got in first: this same command sent twice at once (then reply as the first did),
    /// another writer (a version conflict), or the command id already used elsewhere.
    /// </summary>
    private async Task<CommandOutcome> AfterRefusedAppendAsync(DecidedCommand<TCommand> decided, FoldedStream<TState> decidedOn, Exception refusal,
        CancellationToken cancellationToken)
    {
        var (command, context, stream) = (decided.Command, decided.Context, decided.Stream);
        var history = await store.ReadWholeStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (PriorOutcome(command, context, stream, history) is { } prior)
            return prior;

        var current = FoldedStream<TState>.From(history);
        states.Keep(stream, current);
        if (rules.RefusalWhenOvertaken(command, current.State) is { } overtaken)
            throw overtaken;
        if (refusal is WrongExpectedVersionException || current.Version != decidedOn.Version)
            throw rules.VersionConflict(command, stream, context.ExpectedVersion ?? decidedOn.Version, current.Version);
        throw new CommandIdReusedException(context.CommandId);
    }

    /// <summary>
    /// The original outcome when this command's events are already in the stream. The command is decided
    /// again against the stream as it stood before them: if that gives different events, the command id
    /// was re-used for a different command, and replying with the old outcome would lose the new one.
    /// </summary>
    private CommandOutcome? PriorOutcome(TCommand command, CommandContext context, string stream, IReadOnlyList<RecordedEvent> history)
    {
        var firstEventId = CommandIds.Event(context.CommandId, 0);
        var start = history.Count - 1;
        while (start >= 0 && history[start].EventId != firstEventId)
            start--;
        if (start < 0)
            return null;

        var before = FoldedStream<TState>.From(history.Take(start)).State;
        IReadOnlyList<object> events;
        try
        {
            events = rules.Decide(before, command, clock.GetUtcNow());
        }
        catch (CommandRefusedException)
        {
            throw new CommandIdReusedException(context.CommandId);
        }

        var expected = ToEventData(events, context);
        if (start + expected.Length > history.Count)
            throw new CommandIdReusedException(context.CommandId);
        for (var i = 0; i < expected.Length; i++)
        {
            var stored = history[start + i];
            if (stored.EventId != expected[i].EventId || stored.EventType != expected[i].EventType || !stored.Data.AsSpan().SequenceEqual(expected[i].Data))
                throw new CommandIdReusedException(context.CommandId);
        }

        var last = history[start + expected.Length - 1];
        return new CommandOutcome(stream, events, last.StreamVersion, last.LogPosition);
    }

    private static EventData[] ToEventData(IReadOnlyList<object> events, CommandContext context)
    {
        var metadata = context.EventMetadata;
        var registry = TState.EventTypes;
        return events.Select((e, i) => registry.ToEventData(CommandIds.Event(context.CommandId, i), e, metadata)).ToArray();
    }
}
