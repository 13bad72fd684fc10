namespace Chronicle.EventStore;

/// <summary>Base of every error the store raises on purpose. Nothing is written when one is thrown.</summary>
public abstract class EventStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The stream was not at the version the writer expected. Carries the actual version.</summary>
public sealed class WrongExpectedVersionException(string streamId, ExpectedVersion expected, long actualVersion)
    : EventStoreException($"Stream '{streamId}' is at version {FormatVersion(actualVersion)}, but the append expected {expected}.")
{
    public string StreamId { get; } = streamId;
    public ExpectedVersion Expected { get; } = expected;

    /// <summary>The stream's version when the append was refused (-1 when the stream does not exist).</summary>
    public long ActualVersion { get; } = actualVersion;

    private static string FormatVersion(long version) => version == StreamState.NoStreamVersion ? "no-stream" : version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// An event id was re-used for different content, or a re-sent batch is not exactly a stored append: only partly
/// stored, only part of a stored append, or a span of two.
/// </summary>
public sealed class EventIdConflictException(Guid eventId, string detail)
    : EventStoreException($"Event id {eventId} is already stored with different content or in a different place: {detail}")
{
    /// <summary>
    /// A stored id whose stored event differs from the one sent, when the batch has one (the first such, in batch
    /// order); otherwise the first id of a partly stored batch that is not stored.
    /// </summary>
    public Guid EventId { get; } = eventId;
}

/// <summary>
/// The append ran inside a caller's transaction that obtained its transaction id before it locked the
/// stream, while another writer appended to the stream; committing it would put the stream's events
/// out of order in the global log. Safe to retry in a new transaction.
/// </summary>
public sealed class AppendOrderConflictException(string streamId)
    : EventStoreException($"Stream '{streamId}' was appended to by a later-ordered transaction; retry the append in a new transaction " +
        "(append before doing other writes in the same transaction).");

/// <summary>
/// The stored log holds events past the store's transaction clock, as when a dump is restored into the schema under a
/// store that is already running (PostgreSQL). Appending would order new events before the restored ones, so appends
/// are refused until <see cref="IEventStore.InitializeAsync"/> runs again and moves the clock past them; restarting
/// the service does that.
/// </summary>
public sealed class LogClockBehindException(string streamId)
    : EventStoreException($"Stream '{streamId}' was not appended to: the stored log holds events written past this store's transaction clock, " +
        "as after data was restored under a running store. Initialise the store again (InitializeAsync, e.g. by restarting the service) " +
        "so that new events are ordered after the restored ones.")
{
    public string StreamId { get; } = streamId;
}

public enum InvalidAppendReason
{
    StreamId,
    ExpectedVersion,
    EmptyBatch,
    TooManyEvents,
    EventId,
    DuplicateEventIdInBatch,
    EventType,
    EventData,
    EventMetadata,
    EventTooLarge,

    /// <summary>The events' data and metadata together exceed <see cref="EventStoreLimits.MaxAppendBytes"/>.</summary>
    BatchTooLarge,
}

/// <summary>The request itself is malformed; the same request can never succeed.</summary>
public sealed class InvalidAppendException(InvalidAppendReason reason, string message) : EventStoreException(message)
{
    public InvalidAppendReason Reason { get; } = reason;
}

/// <summary>A read request is malformed (bad stream id, page size or position).</summary>
public sealed class InvalidReadException(string message) : EventStoreException(message);
