using System.Text.Json;

namespace Chronicle.EventStore;

/// <summary>
/// Hard limits on what an append may carry, the same on every backend. They keep one event well under
/// PostgreSQL's and SQLite's row limits and keep a stream id usable as a lock key and a URL segment.
/// </summary>
public static class EventStoreLimits
{
    public const int MaxStreamIdLength = 256;
    public const int MaxEventTypeLength = 256;

    /// <summary>1 MiB: the largest data + metadata one event may hold, in bytes.</summary>
    public const int MaxEventBytes = 1024 * 1024;

    public const int MaxEventsPerAppend = 10_000;
    public const int MaxReadCount = 10_000;

    public static void ValidateStreamId(string? streamId)
    {
        if (string.IsNullOrEmpty(streamId))
            throw new InvalidAppendException(InvalidAppendReason.StreamId, "Stream id must not be empty.");
        if (streamId.Length > MaxStreamIdLength)
            throw new InvalidAppendException(InvalidAppendReason.StreamId,
                $"Stream id is {streamId.Length} characters long; the limit is {MaxStreamIdLength}.");
        if (char.IsWhiteSpace(streamId[0]) || char.IsWhiteSpace(streamId[^1]))
            throw new InvalidAppendException(InvalidAppendReason.StreamId, "Stream id must not start or end with white space.");
        foreach (var c in streamId)
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
                throw new InvalidAppendException(InvalidAppendReason.StreamId,
                    "Stream id must not contain control characters or unpaired surrogates.");
        }
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
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i] ?? throw new InvalidAppendException(InvalidAppendReason.EventData, $"Event #{i} is null.");
            if (e.EventId == Guid.Empty)
                throw new InvalidAppendException(InvalidAppendReason.EventId, $"Event #{i} has an empty event id.");
            if (!seen.Add(e.EventId))
                throw new InvalidAppendException(InvalidAppendReason.DuplicateEventIdInBatch,
                    $"Event id {e.EventId} appears more than once in the batch.");
            if (string.IsNullOrWhiteSpace(e.EventType) || e.EventType.Length > MaxEventTypeLength)
                throw new InvalidAppendException(InvalidAppendReason.EventType,
                    $"Event #{i} needs an event type of 1 to {MaxEventTypeLength} characters.");
            if (e.Metadata is null)
                throw new InvalidAppendException(InvalidAppendReason.EventMetadata, $"Event #{i} has no metadata.");
            if (e.Data is null)
                throw new InvalidAppendException(InvalidAppendReason.EventData, $"Event #{i} has null data.");
            if (e.Data.Length > MaxEventBytes)
                throw new InvalidAppendException(InvalidAppendReason.EventTooLarge,
                    $"Event #{i} is {e.Data.Length} bytes; the limit is {MaxEventBytes} bytes (1 MiB) including metadata.");
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
