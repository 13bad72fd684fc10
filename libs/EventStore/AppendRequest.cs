namespace Chronicle.EventStore;

/// <summary>A validated append, flattened into the column arrays both backends write.</summary>
internal sealed class AppendRequest
{
    private AppendRequest(string streamId, ExpectedVersion expected, int count)
    {
        StreamId = streamId;
        Expected = expected;
        EventIds = new Guid[count];
        EventTypes = new string[count];
        Data = new byte[count][];
        Metadata = new byte[count][];
    }

    public string StreamId { get; }
    public ExpectedVersion Expected { get; }
    public Guid[] EventIds { get; }
    public string[] EventTypes { get; }
    public byte[][] Data { get; }
    public byte[][] Metadata { get; }
    public int Count => EventIds.Length;

    public static AppendRequest Create(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events)
    {
        EventStoreLimits.ValidateAppend(streamId, events);
        if (!expected.IsSet)
            throw new InvalidAppendException(InvalidAppendReason.ExpectedVersion,
                "Expected version is missing: use ExpectedVersion.Any, NoStream, StreamExists or Exact(n).");
        var request = new AppendRequest(streamId, expected, events.Count);
        long batchBytes = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            request.EventIds[i] = e.EventId;
            request.EventTypes[i] = e.EventType;
            request.Data[i] = e.Data;
            // The events of one command usually share one metadata instance: serialise it once.
            request.Metadata[i] = i > 0 && ReferenceEquals(e.Metadata, events[i - 1].Metadata)
                ? request.Metadata[i - 1]
                : MetadataSerializer.Serialize(e.Metadata);
            EventStoreLimits.ValidateSerializedSize(i, e.Data.Length, request.Metadata[i].Length);
            batchBytes += e.Data.Length + request.Metadata[i].Length;
            EventStoreLimits.ValidateBatchSize(batchBytes);
        }

        return request;
    }
}
