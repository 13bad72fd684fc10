using System.Data.Common;
using Chronicle.EventStore;
using Chronicle.Fhir;
using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;

namespace Chronicle.Record.Fhir.Projection;

/// <summary>
/// One stored resource version. <see cref="Created"/> is where version 1 entered the log: results are ordered and
/// paged by it (then by id), a key no later event can change, so pages never shift.
/// </summary>
public sealed record StoredResource(string Type, string Id, long VersionId, string PatientId, string Json, LogPosition Created)
{
    internal const string Columns = "resource_type, resource_id, version_id, patient_id, json, created_tx, created_pos";

    public ResourceSortKey Key => new(Created, Id);

    /// <summary>Stored JSON was written by this service, so it is parsed strictly: anything odd is a bug worth failing on.</summary>
    public Resource Parse() => FhirJson.Deserialize(Json);

    internal static StoredResource Read(DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
        new LogPosition(reader.GetInt64(5), reader.GetInt64(6)));
}

public readonly record struct ResourceSortKey(LogPosition Created, string Id) : IComparable<ResourceSortKey>
{
    public int CompareTo(ResourceSortKey other)
    {
        var byCreated = Created.CompareTo(other.Created);
        return byCreated != 0 ? byCreated : string.CompareOrdinal(Id, other.Id);
    }

    public string ToCursor() => PageCursor.Encode(
        Created.Transaction.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Created.Position.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Id);

    public static ResourceSortKey FromCursor(string cursor)
    {
        var parts = PageCursor.Decode(cursor, 3);
        return long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var tx)
            && long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var position)
            && FhirIds.IsValid(parts[2])
            ? new ResourceSortKey(new LogPosition(tx, position), parts[2])
            : throw FhirException.BadRequest("'_cursor' is not a cursor this server issued; follow the 'next' link as given.");
    }
}
