namespace Chronicle.Record.Domain;

/// <summary>
/// Base of the errors only the record raises on purpose. Nothing is written when one is thrown. Refusals every command
/// handler gives (broken fields, a stale version, a re-used command id) derive from libs/Commands' refusals instead.
/// </summary>
public abstract class PatientRecordException(string message) : CommandRefusedException(message);

/// <summary>The command breaks one or more rules; the same command can never succeed.</summary>
public sealed class RecordValidationException(IReadOnlyList<ValidationError> errors) : CommandValidationException(errors);

public sealed class PatientNotFoundException(PatientId patientId, string? detail = null)
    : PatientRecordException(detail ?? $"Patient {patientId} is not registered.")
{
    public PatientId PatientId { get; } = patientId;
}

public sealed class EntryNotFoundException(PatientId patientId, Guid entryId)
    : PatientRecordException($"The record of patient {patientId} has no entry or encounter {entryId}.")
{
    public Guid EntryId { get; } = entryId;
}

/// <summary>The record's current state forbids the command (e.g. resolving a resolved problem).</summary>
public sealed class RecordStateException(string message) : PatientRecordException(message);

/// <summary>The record changed since the caller read it; they should re-read it and decide again.</summary>
public sealed class RecordVersionConflictException(PatientId patientId, long expectedVersion, long currentVersion)
    : StreamVersionConflictException(patientId.StreamName, expectedVersion, currentVersion,
        $"The record of patient {patientId} is at version {currentVersion}, not {expectedVersion}: " +
        "it changed since you read it. Read it again and re-send the command if it still applies.")
{
    public PatientId PatientId { get; } = patientId;
}

/// <summary>
/// A registration names a patient id already in use. The answer is the same whoever holds the id, at whichever practice,
/// and whatever their record holds: it tells the caller only what trying the id tells them anyway (it cannot be used),
/// never that the patient is registered, where, or anything about them.
/// </summary>
public sealed class PatientIdUnavailableException(PatientId patientId)
    : PatientRecordException($"Patient id {patientId} cannot be used for a new registration: leave patient_id empty to have one assigned, or choose another.")
{
    public PatientId PatientId { get; } = patientId;
}

public sealed class NhsNumberAlreadyRegisteredException(NhsNumber nhsNumber)
    : PatientRecordException($"NHS number {nhsNumber.Formatted} is already registered to another patient.")
{
    public NhsNumber NhsNumber { get; } = nhsNumber;
}
