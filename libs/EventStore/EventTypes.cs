using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Chronicle.EventStore;

/// <summary>
/// The stable name an event type is stored under. The CLR type may be renamed or moved; this name may not.
/// Convention: "V{n}.{Name}", e.g. "V1.PatientRegistered".
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class EventTypeAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>
/// Changes stored events into their current shape as they are read (schema evolution). An upcaster
/// returns the event unchanged when it does not apply. Stored bytes are never rewritten.
/// </summary>
public interface IEventUpcaster
{
    RecordedEvent Upcast(RecordedEvent recorded);
}

/// <summary>Upcasts one persisted event type to another by transforming its JSON body.</summary>
public sealed class JsonEventUpcaster(string fromType, string toType, Func<JsonObject, JsonObject> transform) : IEventUpcaster
{
    public RecordedEvent Upcast(RecordedEvent recorded)
    {
        if (!string.Equals(recorded.EventType, fromType, StringComparison.Ordinal))
            return recorded;
        var body = JsonNode.Parse(recorded.Data)?.AsObject()
            ?? throw new InvalidOperationException($"Event {recorded.EventId} of type {fromType} has no JSON object body.");
        return recorded with { EventType = toType, Data = JsonSerializer.SerializeToUtf8Bytes(transform(body)) };
    }
}

/// <summary>
/// Maps CLR event types to their persisted names and (de)serialises them with source-generated
/// System.Text.Json metadata, so no reflection-based serialisation runs.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<Type, (string Name, JsonTypeInfo Info)> _byType = [];
    private readonly Dictionary<string, JsonTypeInfo> _byName = new(StringComparer.Ordinal);

    public EventTypeRegistry Register<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var name = typeof(T).GetCustomAttribute<EventTypeAttribute>()?.Name
            ?? throw new InvalidOperationException($"{typeof(T)} has no [EventType] attribute naming how it is stored.");
        if (!_byName.TryAdd(name, typeInfo))
            throw new InvalidOperationException($"Event type name '{name}' is registered twice.");
        _byType.Add(typeof(T), (name, typeInfo));
        return this;
    }

    public string NameOf(Type eventType) => _byType.TryGetValue(eventType, out var entry)
        ? entry.Name
        : throw new InvalidOperationException($"{eventType} is not a registered event type.");

    public EventData ToEventData(Guid eventId, object @event, EventMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(@event);
        if (!_byType.TryGetValue(@event.GetType(), out var entry))
            throw new InvalidOperationException($"{@event.GetType()} is not a registered event type.");
        return new EventData(eventId, entry.Name, JsonSerializer.SerializeToUtf8Bytes(@event, entry.Info), metadata);
    }

    /// <summary>Deserialises an (already upcast) recorded event into its registered CLR type.</summary>
    public object Deserialize(RecordedEvent recorded)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        if (!_byName.TryGetValue(recorded.EventType, out var info))
            throw new InvalidOperationException($"Stored event type '{recorded.EventType}' is not registered (event {recorded.EventId}).");
        return JsonSerializer.Deserialize(recorded.Data, info)
            ?? throw new InvalidOperationException($"Event {recorded.EventId} deserialised to null.");
    }
}

internal static class Upcasting
{
    public static RecordedEvent Apply(IReadOnlyList<IEventUpcaster> upcasters, RecordedEvent recorded)
    {
        foreach (var upcaster in upcasters)
            recorded = upcaster.Upcast(recorded);
        return recorded;
    }
}
