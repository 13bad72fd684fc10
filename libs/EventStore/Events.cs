using System.Text.Json;

namespace Chronicle.EventStore;

/// <summary>
/// An event to append. <see cref="EventId"/> is chosen by the client and makes the append idempotent:
/// re-sending it returns the original result. <see cref="Data"/> is the event's UTF-8 JSON body,
/// stored byte for byte.
/// </summary>
public sealed record EventData(Guid EventId, string EventType, byte[] Data, EventMetadata Metadata);

/// <summary>
/// An event as stored, with its place in its stream and in the global log. An event read from a store keeps its
/// metadata as the stored JSON until <see cref="Metadata"/> is first read, so a consumer that never looks at the
/// metadata (a catch-up over the whole log, a projection that needs only the data) does not pay to parse it.
/// </summary>
public sealed record RecordedEvent(
    string StreamId,
    long StreamVersion,
    long Position,
    long Transaction,
    Guid EventId,
    string EventType,
    byte[] Data,
    EventMetadata Metadata,
    DateTimeOffset RecordedAt)
{
    private EventMetadata? _metadata = Metadata;
    private byte[]? _metadataJson;

    public EventMetadata Metadata
    {
        get => _metadata ??= MetadataSerializer.Deserialize(_metadataJson!);
        init
        {
            _metadata = value;
            _metadataJson = null;
        }
    }

    public LogPosition LogPosition => new(Transaction, Position);

    /// <summary>An event as a backend read it, with its metadata still as stored JSON.</summary>
    internal static RecordedEvent FromStorage(string streamId, long streamVersion, long position, long transaction, Guid eventId,
        string eventType, byte[] data, byte[] metadataJson, DateTimeOffset recordedAt) =>
        new(streamId, streamVersion, position, transaction, eventId, eventType, data, null!, recordedAt) { _metadataJson = metadataJson };

    /// <summary>Equal when every field is: data byte for byte, metadata by value whether parsed yet or not.</summary>
    public bool Equals(RecordedEvent? other) =>
        other is not null
        && StreamId == other.StreamId && StreamVersion == other.StreamVersion && Position == other.Position
        && Transaction == other.Transaction && EventId == other.EventId && EventType == other.EventType
        && RecordedAt == other.RecordedAt && Data.AsSpan().SequenceEqual(other.Data) && Metadata == other.Metadata;

    public override int GetHashCode() => HashCode.Combine(StreamId, StreamVersion, Position, EventId);
}

/// <summary>The outcome of an append (or of re-sending one that already succeeded).</summary>
public sealed record AppendResult(long NextExpectedVersion, long Transaction, IReadOnlyList<long> Positions)
{
    public LogPosition LastLogPosition => new(Transaction, Positions[^1]);
}

public enum ReadDirection
{
    Forward,
    Backward,
}

/// <summary>
/// How to read one stream. <see cref="FromVersion"/> is inclusive; when null a forward read starts at
/// the first event and a backward read at the last. <see cref="AsOf"/> and <see cref="AsOfTime"/> read
/// the stream as it was at a point of the global log or at a recorded time.
/// </summary>
public sealed record StreamReadOptions
{
    public ReadDirection Direction { get; init; } = ReadDirection.Forward;
    public long? FromVersion { get; init; }
    public int MaxCount { get; init; } = 1000;
    public LogPosition? AsOf { get; init; }
    public DateTimeOffset? AsOfTime { get; init; }

    public static StreamReadOptions Forwards { get; } = new();
    public static StreamReadOptions Backwards { get; } = new() { Direction = ReadDirection.Backward };
}

internal static class MetadataSerializer
{
    public static byte[] Serialize(EventMetadata metadata) =>
        JsonSerializer.SerializeToUtf8Bytes(metadata, EventMetadataJsonContext.Default.EventMetadata);

    public static EventMetadata Deserialize(byte[] json) =>
        JsonSerializer.Deserialize(json, EventMetadataJsonContext.Default.EventMetadata) ?? EventMetadata.Empty;

    /// <summary>
    /// Whether two stored metadata are the same but for their tracing fields (<see cref="EventMetadata.TraceParent"/>):
    /// a re-sent event is the same fact whichever request's trace carried it.
    /// </summary>
    public static bool SameIgnoringTracing(byte[] stored, byte[] resent) =>
        stored.AsSpan().SequenceEqual(resent)
        || Deserialize(stored) with { TraceParent = null } == Deserialize(resent) with { TraceParent = null };
}
