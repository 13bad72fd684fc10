using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chronicle.EventStore.Benchmarks;

/// <summary>
/// The event every writer appends: a ~300-byte clinical observation plus realistic provenance metadata.
/// The baselines write exactly the bytes the store writes (the metadata serialised the way the store does).
/// </summary>
internal sealed class SamplePayload
{
    public const string EventType = "V1.ObservationRecorded";

    private readonly bool _timeOrderedIds;

    public SamplePayload(bool timeOrderedIds)
    {
        _timeOrderedIds = timeOrderedIds;
        const string observation = """
            {"patientId":"9434765919","code":{"system":"http://snomed.info/sct","code":"271649006","display":"Systolic blood pressure"},"value":{"quantity":128,"unit":"mm[Hg]"},"effective":"2026-11-23T09:14:00Z","performer":"G8123456","location":"A81001","notes":"Seated, left arm, after five minutes of rest."}
            """;
        Data = Encoding.UTF8.GetBytes(observation.PadRight(300));
        Metadata = new EventMetadata
        {
            UserId = "user-5f3c2a9e-0d4b-4a8e-9a57-1c2f3e4d5b6a",
            Role = "GeneralPractitioner",
            OrganisationOds = "A81001",
            ClientId = "chronicle-clinical-web",
            CorrelationId = "0f8fad5b-d9cb-469f-a165-70867728950e",
        };
        MetadataBytes = JsonSerializer.SerializeToUtf8Bytes(Metadata, SampleJsonContext.Default.EventMetadata);
    }

    public byte[] Data { get; }
    public EventMetadata Metadata { get; }
    public byte[] MetadataBytes { get; }

    /// <summary>Fresh events (new ids) for one append call to the store.</summary>
    public IReadOnlyList<EventData> NewEvents(int count)
    {
        var events = new EventData[count];
        for (var i = 0; i < count; i++)
            events[i] = new EventData(_timeOrderedIds ? Guid.CreateVersion7() : Guid.NewGuid(), EventType, Data, Metadata);
        return events;
    }
}

/// <summary>The same serialiser options the store uses for metadata (camelCase, nulls left out).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(EventMetadata))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;
