using System.Globalization;
using System.Text.Json;

namespace Chronicle.Auditing;

/// <summary>
/// The one byte-exact JSON form of an audit entry: fixed property order, every property present (null when absent),
/// UTC times with seven fractional digits, enum names as written in <see cref="AuditAction"/>. Hashes are taken over
/// these bytes, so two parties that agree on an entry agree on its hash.
/// <para>
/// Properties added after the first version (<c>accessGrounds</c>) are written only when they have a value, after the
/// others, so an entry without them has exactly the bytes, and the hash, it had before they existed.
/// </para>
/// </summary>
public static class AuditCanonicalForm
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static void Write(Utf8JsonWriter writer, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(entry);
        writer.WriteStartObject();
        writer.WriteString("entryId", entry.EntryId.ToString("D"));
        writer.WriteString("occurredAt", entry.OccurredAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
        writer.WriteString("service", entry.Service);
        WriteNullable(writer, "userId", entry.UserId);
        WriteNullable(writer, "role", entry.Role);
        WriteNullable(writer, "organisationOds", entry.OrganisationOds);
        WriteNullable(writer, "clientId", entry.ClientId);
        WriteNullable(writer, "onBehalfOf", entry.OnBehalfOf);
        WriteNullable(writer, "patientId", entry.PatientId);
        writer.WriteString("action", entry.Action.ToString());
        WriteNullable(writer, "resourceType", entry.ResourceType);
        WriteNullable(writer, "resourceId", entry.ResourceId);
        WriteNullable(writer, "query", entry.Query);
        writer.WriteNumber("outcome", entry.Outcome);
        WriteNullable(writer, "correlationId", entry.CorrelationId);
        writer.WriteBoolean("breakGlass", entry.BreakGlass);
        WriteNullable(writer, "breakGlassReason", entry.BreakGlassReason);
        if (entry.AccessGrounds is not null)
            writer.WriteString("accessGrounds", entry.AccessGrounds);
        writer.WriteEndObject();
    }

    public static byte[] ToBytes(AuditEntry entry)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, entry);
        return buffer.ToArray();
    }

    /// <summary>Reads an entry written by <see cref="Write"/>; throws <see cref="FormatException"/> on anything else.</summary>
    public static AuditEntry Read(JsonElement json)
    {
        try
        {
            return new AuditEntry
            {
                EntryId = Guid.ParseExact(json.GetProperty("entryId").GetString()!, "D"),
                OccurredAt = new DateTimeOffset(DateTime.ParseExact(json.GetProperty("occurredAt").GetString()!, TimeFormat,
                    CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), TimeSpan.Zero),
                Service = json.GetProperty("service").GetString()!,
                UserId = json.GetProperty("userId").GetString(),
                Role = json.GetProperty("role").GetString(),
                OrganisationOds = json.GetProperty("organisationOds").GetString(),
                ClientId = json.GetProperty("clientId").GetString(),
                OnBehalfOf = json.GetProperty("onBehalfOf").GetString(),
                PatientId = json.GetProperty("patientId").GetString(),
                Action = Enum.Parse<AuditAction>(json.GetProperty("action").GetString()!, ignoreCase: false),
                ResourceType = json.GetProperty("resourceType").GetString(),
                ResourceId = json.GetProperty("resourceId").GetString(),
                Query = json.GetProperty("query").GetString(),
                Outcome = json.GetProperty("outcome").GetInt32(),
                CorrelationId = json.GetProperty("correlationId").GetString(),
                BreakGlass = json.GetProperty("breakGlass").GetBoolean(),
                BreakGlassReason = json.GetProperty("breakGlassReason").GetString(),
                AccessGrounds = json.TryGetProperty("accessGrounds", out var grounds) ? grounds.GetString() : null,
            };
        }
        catch (Exception error) when (error is KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException or NullReferenceException)
        {
            throw new FormatException($"Not an audit entry in canonical form: {error.Message}", error);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
            writer.WriteNull(name);
        else
            writer.WriteString(name, value);
    }
}
