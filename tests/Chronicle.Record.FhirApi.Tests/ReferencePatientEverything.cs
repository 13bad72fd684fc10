using Chronicle.Fhir.Search;
using Chronicle.Projections;
using Chronicle.Record.Fhir.Projection;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// <c>Patient/$everything</c> (no <c>_at</c>) as it was before it was paged in the read model: read the current
/// version of every resource of the patient's record, then skip to the cursor, parse, keep those last updated since
/// <c>_since</c>, and take one more than the page. Kept as the oracle the paged query must match row for row.
/// </summary>
internal static class ReferencePatientEverything
{
    /// <summary>The rows of the page and the one after it, if any, exactly as the page was chosen before.</summary>
    public static async Task<IReadOnlyList<StoredResource>> PageAsync(ReadModelDatabase database, string patientId, ResourceSortKey? after,
        DateTimeOffset? since, int count)
    {
        var record = await WholeRecordAsync(database, patientId);
        return record
            .Where(r => after is null || r.Key.CompareTo(after.Value) > 0)
            .Select(r => (Stored: r, Resource: r.Parse()))
            .Where(r => since is null || r.Resource.Meta?.LastUpdated >= since)
            .Take(count + 1)
            .Select(r => r.Stored)
            .ToList();
    }

    public static async Task<IReadOnlyList<StoredResource>> WholeRecordAsync(ReadModelDatabase database, string patientId)
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            select resource_type, resource_id, version_id, patient_id, json, created_tx, created_pos from {RecordFhirTables.Resources}
            where patient_id = @patient and is_current = 1
            order by created_tx, created_pos, resource_id
            """;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@patient";
        parameter.Value = patientId;
        command.Parameters.Add(parameter);
        var rows = new List<StoredResource>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new StoredResource(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                new EventStore.LogPosition(reader.GetInt64(5), reader.GetInt64(6))));
        }

        return rows;
    }

    /// <summary>Instants at, just before and just after every time a resource of the record was last updated, to the microsecond.</summary>
    public static IEnumerable<DateTimeOffset> SinceValues(IEnumerable<StoredResource> record) => record
        .Select(r => FhirDateRange.ToMicros(r.Parse().Meta!.LastUpdated!.Value))
        .SelectMany(us => new[] { us - 1, us, us + 1 })
        .Distinct()
        .Order()
        .Select(FhirDateRange.FromMicros);
}
