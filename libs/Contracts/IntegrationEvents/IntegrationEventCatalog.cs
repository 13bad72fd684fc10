using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Chronicle.Contracts.IntegrationEvents;

/// <summary>
/// One integration event type: its stable name, its topic, its source-generated JSON metadata, and the app that owns it
/// (<see cref="IntegrationEventAttribute.Owner"/>; null when any app may publish it).
/// </summary>
public sealed record IntegrationEventType(string Name, string Topic, Type ClrType, JsonTypeInfo JsonTypeInfo, string? Owner = null);

/// <summary>
/// Maps integration event types to their stable names and topics, and (de)serialises them with source-generated
/// System.Text.Json metadata only. Publishers serialise through it; consumers look up an incoming CloudEvent's type.
/// </summary>
public sealed class IntegrationEventCatalog
{
    private readonly Dictionary<Type, IntegrationEventType> _byClrType = [];
    private readonly Dictionary<string, IntegrationEventType> _byName = new(StringComparer.Ordinal);

    public IReadOnlyCollection<IntegrationEventType> Types => _byName.Values;

    public IntegrationEventCatalog Register<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var attribute = typeof(T).GetCustomAttribute<IntegrationEventAttribute>()
            ?? throw new InvalidOperationException($"{typeof(T)} has no [IntegrationEvent] attribute naming it and its topic.");
        return Add(new IntegrationEventType(attribute.Name, attribute.Topic, typeof(T), typeInfo, attribute.Owner));
    }

    /// <summary>Adds every type of <paramref name="other"/> (one catalog per publishing service, combined by consumers).</summary>
    public IntegrationEventCatalog Include(IntegrationEventCatalog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var type in other.Types)
            Add(type);
        return this;
    }

    public IntegrationEventType Get(Type clrType) => _byClrType.TryGetValue(clrType, out var type)
        ? type
        : throw new InvalidOperationException($"{clrType} is not a registered integration event type.");

    public IntegrationEventType Get<T>() => Get(typeof(T));

    public bool TryGet(string name, out IntegrationEventType type) => _byName.TryGetValue(name, out type!);

    /// <summary>The event's type and its UTF-8 JSON body.</summary>
    public (IntegrationEventType Type, byte[] Data) Serialize(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var type = Get(@event.GetType());
        return (type, JsonSerializer.SerializeToUtf8Bytes(@event, type.JsonTypeInfo));
    }

    /// <summary>Reads a body of a registered type; throws <see cref="JsonException"/> when it does not fit the contract.</summary>
    public static object Deserialize(IntegrationEventType type, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(type);
        return JsonSerializer.Deserialize(data, type.JsonTypeInfo)
            ?? throw new JsonException($"The body of a {type.Name} event is null.");
    }

    private IntegrationEventCatalog Add(IntegrationEventType type)
    {
        if (_byName.TryGetValue(type.Name, out var existing))
        {
            if (existing.ClrType == type.ClrType)
                return this;
            throw new InvalidOperationException($"Integration event name '{type.Name}' is registered twice.");
        }

        _byName.Add(type.Name, type);
        _byClrType.Add(type.ClrType, type);
        return this;
    }
}
