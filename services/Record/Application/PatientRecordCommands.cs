using System.Globalization;
using Chronicle.EventStore;
using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Application;

/// <summary>
/// Runs commands against patients' records: bring the folded record up to date (<see cref="RecordStateCache"/>: the
/// record as last folded plus the events appended since, or the whole stream), check the caller's expected version,
/// decide, append with the version decided on as the store's expected version. A record kept from earlier can only
/// lead to a refused append, never a wrong one; a refused append forgets the kept record. A command re-sent after it
/// succeeded gets its original result, because its events carry ids derived from the command id and are found in
/// the stream (or recognised by the store's idempotent append).
/// </summary>
public sealed class PatientRecordCommands(IEventStore store, TimeProvider clock, RecordStateCache records)
{
    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();

    // Writers that do not check a version retry when another writer gets in first; a caller with an
    // expected version is told instead, since what they decided on has changed.
    private const int UncheckedAttempts = 3;

    /// <summary>Commands with a cache of their own, with the default bounds.</summary>
    public PatientRecordCommands(IEventStore store, TimeProvider clock)
        : this(store, clock, new RecordStateCache())
    {
    }

    public async Task<RecordChanged> HandleAsync(PatientRecordCommand command, CommandContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(context);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryHandleAsync(command, context, cancellationToken).ConfigureAwait(false);
            }
            catch (RecordVersionConflictException) when (context.ExpectedVersion is null && command is not RegisterPatient && attempt < UncheckedAttempts)
            {
            }
        }
    }

    private async Task<RecordChanged> TryHandleAsync(PatientRecordCommand command, CommandContext context, CancellationToken cancellationToken)
    {
        var stream = command.PatientId.StreamName;
        var record = await records.CurrentAsync(store, stream, cancellationToken).ConfigureAwait(false);
        if (record.Contains(DerivedIds.Event(context.CommandId, 0)))
        {
            // This command's events are stored already: answer as the first time did, or refuse a re-used command id.
            var history = await store.ReadWholeStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (PriorOutcome(command, context, history) is { } prior)
                return prior;
            record = FoldedRecord.From(history);
            records.Evict(stream);
            records.Keep(stream, record);
        }

        var state = record.State;
        if (state.Exists && context.ExpectedVersion is { } expected && expected != state.Version)
            throw new RecordVersionConflictException(command.PatientId, expected, state.Version);

        var events = PatientRecordDecider.Decide(state, command, clock.GetUtcNow());
        if (events.Count == 0)
            throw new InvalidOperationException($"{command.GetType().Name} decided no events.");
        var registration = events[0] is PatientRegistered registered
            ? new RegistrationToStore(DerivedIds.Event(context.CommandId, 0), registered, MetadataFor(context))
            : null;
        if (registration is not null)
            await ReserveNhsNumberAsync(registration, context, cancellationToken).ConfigureAwait(false);

        try
        {
            return await AppendAsync(command, context, state, events, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (registration is not null && e is PatientRecordException or EventStoreException)
        {
            // The registration was refused after its NHS number was reserved: the reservation must not outlive it. Not on
            // cancellation (the append may still land); a crash here is settled by the next registration of the number.
            await store.SettleAfterFailedRegistrationAsync(registration.NhsNumber, registration.Metadata, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<RecordChanged> AppendAsync(PatientRecordCommand command, CommandContext context, PatientRecordState state,
        IReadOnlyList<object> events, CancellationToken cancellationToken)
    {
        var stream = command.PatientId.StreamName;
        var expectedVersion = state.Exists ? ExpectedVersion.Exact(state.Version) : ExpectedVersion.NoStream;
        try
        {
            var result = await store.AppendAsync(stream, expectedVersion, ToEventData(events, context), cancellationToken).ConfigureAwait(false);
            return RecordChanged.From(command.PatientId, events, result.NextExpectedVersion, result.LastLogPosition);
        }
        catch (Exception e) when (e is WrongExpectedVersionException or EventIdConflictException)
        {
            records.Evict(stream);
            return await AfterRefusedAppendAsync(command, context, state, e, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Another append got in first: this same command sent twice at once (then reply as the first did),
    /// another writer (a version conflict), or the command id already used elsewhere.
    /// </summary>
    private async Task<RecordChanged> AfterRefusedAppendAsync(PatientRecordCommand command, CommandContext context,
        PatientRecordState decidedOn, Exception refusal, CancellationToken cancellationToken)
    {
        var stream = command.PatientId.StreamName;
        var history = await store.ReadWholeStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (PriorOutcome(command, context, history) is { } prior)
            return prior;

        var folded = FoldedRecord.From(history);
        records.Keep(stream, folded);
        var current = folded.State;
        if (command is RegisterPatient && current.Exists)
            throw new PatientIdUnavailableException(command.PatientId);
        if (refusal is WrongExpectedVersionException || current.Version != decidedOn.Version)
            throw new RecordVersionConflictException(command.PatientId, context.ExpectedVersion ?? decidedOn.Version, current.Version);
        throw new CommandIdReusedException(context.CommandId);
    }

    /// <summary>
    /// The original result when this command's events are already in the stream. The command is decided
    /// again against the record as it stood before them: if that gives different events, the command id
    /// was re-used for a different command, and replying with the old result would lose the new one.
    /// </summary>
    private RecordChanged? PriorOutcome(PatientRecordCommand command, CommandContext context, IReadOnlyList<RecordedEvent> history)
    {
        var firstEventId = DerivedIds.Event(context.CommandId, 0);
        var start = history.Count - 1;
        while (start >= 0 && history[start].EventId != firstEventId)
            start--;
        if (start < 0)
            return null;

        var before = Fold(history.Take(start));
        IReadOnlyList<object> events;
        try
        {
            events = PatientRecordDecider.Decide(before, command, clock.GetUtcNow());
        }
        catch (PatientRecordException)
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
        return RecordChanged.From(command.PatientId, events, last.StreamVersion, last.LogPosition);
    }

    /// <summary>
    /// Claims the NHS number for this patient before the registration is appended (<see cref="NhsNumberReservations"/>).
    /// A claim already held by the same patient is a retry after a crash between the two appends, so registration carries on.
    /// The reservation carries the whole registration, so a registration over the store's size limit is refused here,
    /// before anything is reserved.
    /// </summary>
    private async Task ReserveNhsNumberAsync(RegistrationToStore registration, CommandContext context, CancellationToken cancellationToken)
    {
        switch (await store.ClaimNhsNumberAsync(registration, context.CommandId, cancellationToken).ConfigureAwait(false))
        {
            case NhsNumberClaim.CommandIdReused:
                throw new CommandIdReusedException(context.CommandId);
            case NhsNumberClaim.HeldByAnotherPatient:
                throw new NhsNumberAlreadyRegisteredException(registration.NhsNumber);
        }
    }

    private static PatientRecordState Fold(IEnumerable<RecordedEvent> history) =>
        PatientRecordDecider.Fold(history.Select(Registry.Deserialize));

    private static EventData[] ToEventData(IReadOnlyList<object> events, CommandContext context)
    {
        var metadata = MetadataFor(context);
        return events.Select((e, i) => Registry.ToEventData(DerivedIds.Event(context.CommandId, i), e, metadata)).ToArray();
    }

    private static EventMetadata MetadataFor(CommandContext context)
    {
        var commandId = context.CommandId.ToString("D", CultureInfo.InvariantCulture);
        return context.Metadata with { CausationId = commandId, CorrelationId = context.Metadata.CorrelationId ?? commandId };
    }
}
