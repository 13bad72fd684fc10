using System.Text.Json;

namespace Chronicle.EventStore;

/// <summary>
/// Hard limits on what an append may carry, the same on every backend. They keep one event well under
/// PostgreSQL's and SQLite's row limits, keep one append well under PostgreSQL's 1 GiB message limit, and keep
/// stream ids and event types usable as lock keys, URL segments and text columns.
/// </summary>
public static class EventStoreLimits
{
    public const int MaxStreamIdLength = 256;
    public const int MaxEventTypeLength = 256;

    /// <summary>1 MiB: the largest data + metadata one event may hold, in bytes.</summary>
    public const int MaxEventBytes = 1024 * 1024;

    public const int MaxEventsPerAppend = 10_000;

    /// <summary>
    /// 64 MiB: the most data + metadata one append may hold, in bytes, summed over its events. PostgreSQL refuses a
    /// message of 1 GiB or more, and an append is one message that the server then holds several copies of while it
    /// unpacks and inserts the batch (the message, the parameter arrays, the rows); 64 MiB keeps that peak to a few
    /// hundred MiB per concurrent append, far below the cap and the server's memory, and still admits 64 events at
    /// the per-event limit or 10,000 events of 6 KiB.
    /// </summary>
    public const int MaxAppendBytes = 64 * 1024 * 1024;

    public const int MaxReadCount = 10_000;

    public static void ValidateStreamId(string? streamId) =>
        ValidateName(streamId, "Stream id", MaxStreamIdLength, InvalidAppendReason.StreamId);

    /// <summary>
    /// Stream ids and event types are stored as text, compared as keys and shown to people. A name that a backend would
    /// refuse (PostgreSQL text cannot hold NUL) or alter (SQLite stores an unpaired surrogate as U+FFFD, after which an
    /// honest re-send no longer matches) is refused here, before anything is written.
    /// </summary>
    private static void ValidateName(string? name, string what, int maxLength, InvalidAppendReason reason)
    {
        if (string.IsNullOrEmpty(name))
            throw new InvalidAppendException(reason, $"{what} must not be empty.");
        if (name.Length > maxLength)
            throw new InvalidAppendException(reason, $"{what} is {name.Length} characters long; the limit is {maxLength}.");
        if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1]))
            throw new InvalidAppendException(reason, $"{what} must not start or end with white space.");
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsControl(c))
                throw new InvalidAppendException(reason, $"{what} must not contain control characters (found U+{(int)c:X4} at {i}).");
        }

        if (UnpairedSurrogateAt(name) is { } at)
            throw new InvalidAppendException(reason, $"{what} must be valid UTF-16: an unpaired surrogate U+{(int)name[at]:X4} is at {at}.");
    }

    /// <summary>
    /// Metadata is stored as JSON, which carries control characters faithfully as escapes, but System.Text.Json writes an
    /// unpaired surrogate as U+FFFD: the stored metadata would silently differ from what was sent.
    /// </summary>
    private static void ValidateMetadata(int index, EventMetadata metadata)
    {
        foreach (var (field, value) in new[]
                 {
                     ("userId", metadata.UserId), ("role", metadata.Role), ("organisationOds", metadata.OrganisationOds),
                     ("onBehalfOf", metadata.OnBehalfOf), ("clientId", metadata.ClientId), ("reason", metadata.Reason),
                     ("correlationId", metadata.CorrelationId), ("causationId", metadata.CausationId),
                 })
        {
            if (value is not null && UnpairedSurrogateAt(value) is { } at)
                throw new InvalidAppendException(InvalidAppendReason.EventMetadata,
                    $"Event #{index} metadata {field} must be valid UTF-16: an unpaired surrogate U+{(int)value[at]:X4} is at {at}.");
        }
    }

    private static int? UnpairedSurrogateAt(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]))
                return i;
        }

        return null;
    }

    /// <summary>Checks a whole append request before anything touches the database.</summary>
    public static void ValidateAppend(string? streamId, IReadOnlyList<EventData?>? events)
    {
        ValidateStreamId(streamId);
        if (events is null || events.Count == 0)
            throw new InvalidAppendException(InvalidAppendReason.EmptyBatch, "An append must carry at least one event.");
        if (events.Count > MaxEventsPerAppend)
            throw new InvalidAppendException(InvalidAppendReason.TooManyEvents,
                $"An append may carry at most {MaxEventsPerAppend} events; this one has {events.Count}.");

        var seen = new HashSet<Guid>();
        long batchBytes = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i] ?? throw new InvalidAppendException(InvalidAppendReason.EventData, $"Event #{i} is null.");
            if (e.EventId == Guid.Empty)
                throw new InvalidAppendException(InvalidAppendReason.EventId, $"Event #{i} has an empty event id.");
            if (!seen.Add(e.EventId))
                throw new InvalidAppendException(InvalidAppendReason.DuplicateEventIdInBatch,
                    $"Event id {e.EventId} appears more than once in the batch.");
            ValidateName(e.EventType, $"Event #{i}'s type", MaxEventTypeLength, InvalidAppendReason.EventType);
            if (e.Metadata is null)
                throw new InvalidAppendException(InvalidAppendReason.EventMetadata, $"Event #{i} has no metadata.");
            ValidateMetadata(i, e.Metadata);
            if (e.Data is null)
                throw new InvalidAppendException(InvalidAppendReason.EventData, $"Event #{i} has null data.");
            if (e.Data.Length > MaxEventBytes)
                throw new InvalidAppendException(InvalidAppendReason.EventTooLarge,
                    $"Event #{i} is {e.Data.Length} bytes; the limit is {MaxEventBytes} bytes (1 MiB) including metadata.");
            // Summed before any body is parsed, so an oversized batch costs nothing to refuse.
            batchBytes += e.Data.Length;
            ValidateBatchSize(batchBytes);
        }

        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i]!;
            if (!IsJson(e.Data))
                throw new InvalidAppendException(InvalidAppendReason.EventData, $"Event #{i} data is not well-formed UTF-8 JSON.");
        }
    }

    internal static void ValidateSerializedSize(int index, int dataBytes, int metadataBytes)
    {
        if ((long)dataBytes + metadataBytes > MaxEventBytes)
            throw new InvalidAppendException(InvalidAppendReason.EventTooLarge,
                $"Event #{index} is {dataBytes + metadataBytes} bytes with its metadata; the limit is {MaxEventBytes} bytes (1 MiB).");
    }

    /// <summary>Checks the running total of an append's bytes (data, then data with metadata once it is serialised).</summary>
    internal static void ValidateBatchSize(long batchBytes)
    {
        if (batchBytes > MaxAppendBytes)
            throw new InvalidAppendException(InvalidAppendReason.BatchTooLarge,
                $"The append holds more than {MaxAppendBytes} bytes (64 MiB) of data and metadata; split it into several appends.");
    }

    public static void ValidateRead(string? streamId, StreamReadOptions? options)
    {
        try
        {
            ValidateStreamId(streamId);
        }
        catch (InvalidAppendException e)
        {
            throw new InvalidReadException(e.Message);
        }

        ArgumentNullException.ThrowIfNull(options);
        ValidateCount(options.MaxCount);
        if (options.FromVersion < 0)
            throw new InvalidReadException($"From-version {options.FromVersion} is invalid: versions start at 0.");
    }

    public static void ValidateCount(int maxCount)
    {
        if (maxCount is < 1 or > MaxReadCount)
            throw new InvalidReadException($"Page size {maxCount} is invalid: ask for 1 to {MaxReadCount} events.");
    }

    private static bool IsJson(byte[] data)
    {
        try
        {
            var reader = new Utf8JsonReader(data, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            while (reader.Read())
            {
            }

            return reader.BytesConsumed == data.Length && data.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
