namespace Chronicle.Commands;

/// <summary>
/// Base of every refusal a decider or a command handler raises on purpose: the command was not carried out and nothing
/// was written. Anything else thrown while deciding is a fault, not an answer.
/// </summary>
public abstract class CommandRefusedException(string message) : Exception(message);

/// <summary>The command breaks one or more rules of its fields; the same command can never succeed.</summary>
public class CommandValidationException(IReadOnlyList<ValidationError> errors)
    : CommandRefusedException(string.Join("; ", errors))
{
    public IReadOnlyList<ValidationError> Errors { get; } = errors;
}

/// <summary>
/// A command id was sent again with a different command. Replying with the first command's result
/// would silently drop the second command's facts, so it is refused.
/// </summary>
public sealed class CommandIdReusedException(Guid commandId)
    : CommandRefusedException($"Command id {commandId} was already used for a different command; send each new command with a new command id.")
{
    public Guid CommandId { get; } = commandId;
}

/// <summary>The stream changed since the caller read it (or while the command was decided), and the caller is told.</summary>
public class StreamVersionConflictException(string stream, long expectedVersion, long currentVersion, string? message = null)
    : CommandRefusedException(message ?? $"Stream '{stream}' is at version {currentVersion}, not {expectedVersion}: " +
        "it changed since you read it. Read it again and re-send the command if it still applies.")
{
    public string Stream { get; } = stream;
    public long ExpectedVersion { get; } = expectedVersion;
    public long CurrentVersion { get; } = currentVersion;
}
