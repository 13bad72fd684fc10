using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Chronicle.Auditing;

/// <summary>
/// The one byte-exact JSON form of an audit entry, as <see cref="AuditEntry"/> declares it: fixed property order, every
/// property present (null when absent), UTC times with seven fractional digits, enum names as written in
/// <see cref="AuditAction"/>. Hashes are taken over these bytes, so two parties that agree on an entry agree on its hash.
/// <para>
/// Properties added after the first version (<c>accessGrounds</c>, <c>agentKind</c>) are written only when they have a value, after the
/// others, so an entry without them has exactly the bytes, and the hash, it had before they existed.
/// </para>
/// </summary>
public static class AuditCanonicalForm
{
    // The canonical formats on AuditEntry's one shape (its properties, in their declared order), here and not as attributes
    // on it, so a JSON API that serialises entries keeps its own style.
    private static readonly JsonTypeInfo<AuditEntry> Canonical = (JsonTypeInfo<AuditEntry>)new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        TypeInfoResolver = AuditEntryJsonContext.Default.WithAddedModifier(contract =>
        {
            if (contract.Type != typeof(AuditEntry))
                return;
            foreach (var property in contract.Properties)
            {
                switch (property.Name)
                {
                    case "occurredAt":
                        property.CustomConverter = new CanonicalUtcTimeConverter();
                        break;
                    case "action":
                        property.CustomConverter = new JsonStringEnumConverter<AuditAction>();
                        break;
                    case "accessGrounds" or "agentKind":
                        property.ShouldSerialize = (_, value) => value is not null;
                        break;
                }
            }
        }),
    }.GetTypeInfo(typeof(AuditEntry));

    public static void Write(Utf8JsonWriter writer, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(entry);
        JsonSerializer.Serialize(writer, entry, Canonical);
    }

    public static byte[] ToBytes(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return JsonSerializer.SerializeToUtf8Bytes(entry, Canonical);
    }

    /// <summary>Reads an entry in the shape <see cref="AuditEntry"/> declares; throws <see cref="FormatException"/> on anything else.</summary>
    public static AuditEntry Read(JsonElement json)
    {
        try
        {
            return json.Deserialize(Canonical) ?? throw new FormatException("Not an audit entry: null.");
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new FormatException($"Not an audit entry in canonical form: {error.Message}", error);
        }
    }

    /// <summary>Reads an entry from its JSON bytes (a stored outbox event, a wire event); see <see cref="Read(JsonElement)"/>.</summary>
    public static AuditEntry Read(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, Canonical) ?? throw new FormatException("Not an audit entry: null.");
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new FormatException($"Not an audit entry in canonical form: {error.Message}", error);
        }
    }
}
