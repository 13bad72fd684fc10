using Chronicle.EventStore;
using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Application;

/// <summary>
/// Runs commands against patients' records through libs/Commands' <see cref="StreamCommandHandler{TState, TCommand}"/>
/// (the folded record kept in <see cref="RecordStateCache"/>, the expected version, idempotency by command id, retries
/// for writers without an expected version), deciding with <see cref="PatientRecordDecider"/>. What is the Record's own
/// is in <see cref="PatientRecordRules"/>: its refusals, and the NHS number reserved before a registration is appended.
/// </summary>
public sealed class PatientRecordCommands
{
    private readonly StreamCommandHandler<PatientRecordState, PatientRecordCommand> _handler;

    public PatientRecordCommands(IEventStore store, TimeProvider clock, RecordStateCache records) =>
        _handler = new(store, clock, records, new PatientRecordRules(store));

    /// <summary>Commands with a cache of their own, with the default bounds.</summary>
    public PatientRecordCommands(IEventStore store, TimeProvider clock)
        : this(store, clock, new RecordStateCache())
    {
    }

    public async Task<RecordChanged> HandleAsync(PatientRecordCommand command, CommandContext context, CancellationToken cancellationToken = default)
    {
        var outcome = await _handler.HandleAsync(command, context, cancellationToken).ConfigureAwait(false);
        return RecordChanged.From(command.PatientId, outcome.Events, outcome.Version, outcome.LogPosition);
    }
}

/// <summary>The patient record's commands as <see cref="StreamCommandHandler{TState, TCommand}"/> runs them.</summary>
internal sealed class PatientRecordRules(IEventStore store) : StreamCommandRules<PatientRecordState, PatientRecordCommand>
{
    public override string StreamOf(PatientRecordCommand command) => command.PatientId.StreamName;

    public override IReadOnlyList<object> Decide(PatientRecordState state, PatientRecordCommand command, DateTimeOffset now) =>
        PatientRecordDecider.Decide(state, command, now);

    public override bool RetriesWhenOvertaken(PatientRecordCommand command) => command is not RegisterPatient;

    public override StreamVersionConflictException VersionConflict(PatientRecordCommand command, string stream, long expectedVersion, long currentVersion) =>
        new RecordVersionConflictException(command.PatientId, expectedVersion, currentVersion);

    public override CommandRefusedException? RefusalWhenOvertaken(PatientRecordCommand command, PatientRecordState current) =>
        command is RegisterPatient && current.Exists ? new PatientIdUnavailableException(command.PatientId) : null;

    /// <summary>
    /// Claims the NHS number for this patient before the registration is appended (<see cref="NhsNumberReservations"/>).
    /// A claim already held by the same patient is a retry after a crash between the two appends, so registration carries on.
    /// The reservation carries the whole registration, so a registration over the store's size limit is refused here,
    /// before anything is reserved.
    /// </summary>
    public override async Task<bool> BeforeAppendAsync(DecidedCommand<PatientRecordCommand> decided, CancellationToken cancellationToken)
    {
        if (Registration(decided) is not { } registration)
            return false;
        switch (await store.ClaimNhsNumberAsync(registration, decided.Context.CommandId, cancellationToken).ConfigureAwait(false))
        {
            case NhsNumberClaim.CommandIdReused:
                throw new CommandIdReusedException(decided.Context.CommandId);
            case NhsNumberClaim.HeldByAnotherPatient:
                throw new NhsNumberAlreadyRegisteredException(registration.NhsNumber);
        }

        return true;
    }

    /// <summary>The registration was refused after its NHS number was reserved: the reservation must not outlive it.</summary>
    public override Task AfterFailedAppendAsync(DecidedCommand<PatientRecordCommand> decided, Exception failure) =>
        store.SettleAfterFailedRegistrationAsync(Registration(decided)!.NhsNumber, decided.Context.EventMetadata, CancellationToken.None);

    private static RegistrationToStore? Registration(DecidedCommand<PatientRecordCommand> decided) =>
        decided.Events[0] is PatientRegistered registered
            ? new RegistrationToStore(decided.ToAppend[0].EventId, registered, decided.Context.EventMetadata)
            : null;
}
