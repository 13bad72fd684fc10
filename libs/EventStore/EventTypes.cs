using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
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
        return Add(typeof(T), typeInfo);
    }

    /// <summary>
    /// Registers every public type nested in <paramref name="catalogue"/> that has an <see cref="EventTypeAttribute"/>, with
    /// its serialisation metadata from <paramref name="context"/>: the catalogue class is then the one list of a service's
    /// events, so adding an event is declaring it there (and naming it to the context's source generator beside it).
    /// </summary>
    public EventTypeRegistry RegisterAll(Type catalogue, JsonSerializerContext context)
    {
        ArgumentNullException.ThrowIfNull(catalogue);
        ArgumentNullException.ThrowIfNull(context);
        foreach (var type in catalogue.GetNestedTypes(BindingFlags.Public).Where(t => t.GetCustomAttribute<EventTypeAttribute>() is not null))
        {
            Add(type, context.GetTypeInfo(type) ?? throw new InvalidOperationException(
                $"Event type {type} has no serialisation metadata in {context.GetType()}: add [JsonSerializable(typeof({type.Name}))] to it."));
        }

        return this;
    }

    /// <summary>True when <paramref name="name"/> is the persisted name of a registered event type.</summary>
    public bool IsRegistered(string name) => _byName.ContainsKey(name);

    private EventTypeRegistry Add(Type type, JsonTypeInfo typeInfo)
    {
        var name = type.GetCustomAttribute<EventTypeAttribute>()?.Name
            ?? throw new InvalidOperationException($"{type} has no [EventType] attribute naming how it is stored.");
        if (!_byName.TryAdd(name, typeInfo))
            throw new InvalidOperationException($"Event type name '{name}' is registered twice.");
        _byType.Add(type, (name, typeInfo));
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
