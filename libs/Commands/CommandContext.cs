using System.Globalization;
using Chronicle.EventStore;

namespace Chronicle.Commands;

/// <summary>
/// What travels with a command besides its content.
/// </summary>
/// <param name="CommandId">The client's idempotency key: every event id of the command is derived from it.</param>
/// <param name="ExpectedVersion">
/// The stream version the caller last saw; a different current version refuses the command. Null for a command that
/// creates its stream, and for writers that do not read the stream first (they accept whatever state it is in).
/// </param>
/// <param name="Metadata">Provenance stored on every event; the causation id is set to the command id.</param>
public sealed record CommandContext(Guid CommandId, long? ExpectedVersion, EventMetadata Metadata)
{
    /// <summary>
    /// The metadata every event of the command carries: the caller's, caused by the command, and correlated by the
    /// command id unless the caller correlated it already.
    /// </summary>
    public EventMetadata EventMetadata
    {
        get
        {
            var commandId = CommandId.ToString("D", CultureInfo.InvariantCulture);
            return Metadata with { CausationId = commandId, CorrelationId = Metadata.CorrelationId ?? commandId };
        }
    }
}
