namespace Chronicle.EventStore;

/// <summary>
/// The append-only event store contract that every backend honours (and the shared contract test suite
/// proves). Streams are ordered by version; the global log is ordered by <see cref="LogPosition"/> and
/// a reader of it never skips a committed event.
/// </summary>
public interface IEventStore : IAsyncDisposable
{
    /// <summary>Creates or migrates the store's schema. Idempotent and safe to run from many processes at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends all of <paramref name="events"/> or none, durably before it returns. Re-sending a stored append
    /// (the same events, in the same order and stream) returns the original result.
    /// </summary>
    /// <exception cref="WrongExpectedVersionException">The stream is not at <paramref name="expectedVersion"/>.</exception>
    /// <exception cref="EventIdConflictException">
    /// An event id is stored with different content or elsewhere, or the batch is not exactly one stored append.
    /// </exception>
    /// <exception cref="InvalidAppendException">The request is malformed.</exception>
    /// <exception cref="LogClockBehindException">(PostgreSQL) Data was restored under the running store; initialise it again.</exception>
    Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expectedVersion, IReadOnlyList<EventData> events,
        CancellationToken cancellationToken = default);

    Task<StreamState> GetStreamStateAsync(string streamId, CancellationToken cancellationToken = default);

    /// <summary>Reads one page of a stream. An absent stream reads as empty.</summary>
    Task<IReadOnlyList<RecordedEvent>> ReadStreamAsync(string streamId, StreamReadOptions options,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the next page of the global log strictly after <paramref name="after"/>. Only events that can
    /// never be preceded by a later commit are returned, so paging on the last returned position never skips.
    /// </summary>
    Task<IReadOnlyList<RecordedEvent>> ReadAllAsync(LogPosition after, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many committed events lie after <paramref name="after"/> (for lag reporting). On PostgreSQL this includes
    /// events that <see cref="ReadAllAsync"/> holds back until older transactions finish, and it counts rows, so it
    /// costs in proportion to the lag.
    /// </summary>
    Task<long> CountEventsAfterAsync(LogPosition after, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes when an append commits through this store instance, or after <paramref name="timeout"/>,
    /// whichever is first. Subscriptions use it to tail the log with low latency; appends from other processes
    /// are found by polling. (PostgreSQL's LISTEN/NOTIFY is deliberately not used: a NOTIFY takes a database-wide
    /// lock across commit, which would serialise every append's commit and defeat group commit.)
    /// </summary>
    Task WaitForAppendAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}
