using System.Text.Json.Serialization;

namespace Chronicle.Contracts.IntegrationEvents;

/// <summary>The topics every Chronicle service may publish to whatever it consumes.</summary>
public static class MessagingTopics
{
    /// <summary>Where a consumer puts an event it refused as poison, with the reason, so nothing is dropped silently.</summary>
    public const string DeadLetter = "chronicle.dead-letter";
}

/// <summary>
/// An event a consumer refused (it could not be read, failed validation, had an unknown type, or its handler failed in
/// a way retrying cannot fix). The original CloudEvent travels whole: <see cref="Data"/> is its body, byte for byte.
/// </summary>
[IntegrationEvent("chronicle.messaging.dead-lettered.v1", MessagingTopics.DeadLetter)]
public sealed record DeadLetteredV1(
    string Consumer, string Reason, DateTimeOffset DeadLetteredAt,
    string PubSubName, string Topic, string EventId, string Source, string Type, string DataContentType, byte[] Data);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(DeadLetteredV1))]
public sealed partial class MessagingIntegrationEventsJsonContext : JsonSerializerContext
{
    public static IntegrationEventCatalog Catalog() => new IntegrationEventCatalog().Register(Default.DeadLetteredV1);
}
