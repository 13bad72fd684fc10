using Chronicle.EventStore;

namespace Chronicle.Record.Application;

/// <summary>
/// What travels with a command besides its content.
/// </summary>
/// <param name="CommandId">The client's idempotency key: every event id of the command is derived from it.</param>
/// <param name="ExpectedVersion">
/// The record version the caller last saw; a different current version refuses the command. Null only for
/// registration, and for writers that do not read the record first (they accept whatever state it is in).
/// </param>
/// <param name="Metadata">Provenance stored on every event; the causation id is set to the command id.</param>
public sealed record CommandContext(Guid CommandId, long? ExpectedVersion, EventMetadata Metadata);
