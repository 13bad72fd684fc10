using System.Globalization;
using Chronicle.EventStore;
using Chronicle.Fhir;
using Chronicle.Projections;
using Chronicle.Record.Fhir.Projection;
using Task = System.Threading.Tasks.Task;
using Chronicle.Record.Application;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// The FHIR projection as it was before it learned to batch: every read and write a statement of its own, run as the
/// event is applied. Kept as the oracle <see cref="RecordFhirProjection"/>'s tables must match row for row. Its
/// tables are the real ones' under a "ref_" prefix, so both can follow the same log in the same database.
/// </summary>
internal sealed class ReferenceRecordFhirProjection : IProjection
{
    public const string Prefix = "ref_";

    public string Name => "record-fhir-reference";

    public IReadOnlyList<string> Tables { get; } =
        [Prefix + RecordFhirTables.Resources, Prefix + RecordFhirTables.Tokens, Prefix + RecordFhirTables.Dates, Prefix + RecordFhirTables.Strings];

    public async Task CreateTablesAsync(ProjectionContext context, CancellationToken cancellationToken)
    {
        foreach (var statement in RecordFhirTables.CreateStatements(t => context.Table(Prefix + t)))
        {
            await using var command = context.CreateCommand(statement);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task ApplyAsync(ProjectionContext context, RecordedEvent recorded, CancellationToken cancellationToken)
    {
        if (RecordEvent.TryDecode(recorded) is not { } change)
            return;
        var patientId = Id(change.PatientId);
        StoredResource? current = null;
        await using (var command = context.CreateCommand($"""
            select resource_type, resource_id, version_id, patient_id, json, created_tx, created_pos from {context.Table(Prefix + RecordFhirTables.Resources)}
            where resource_id = @id and patient_id = @patient and is_current = 1
            """, ("id", Id(change.TouchedId)), ("patient", patientId)))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                current = new StoredResource(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4),
                    new LogPosition(reader.GetInt64(5), reader.GetInt64(6)));
            }
        }

        foreach (var version in PatientRecordFhirBuilder.Build(change, current?.Parse()))
        {
            var created = current is not null && current.Id == version.Id ? current.Created : recorded.LogPosition;
            await WriteVersionAsync(context, patientId, version, recorded.LogPosition, created, cancellationToken);
        }
    }

    private static async Task WriteVersionAsync(ProjectionContext context, string patientId, ResourceVersion version, LogPosition position,
        LogPosition created, CancellationToken cancellationToken)
    {
        var resources = context.Table(Prefix + RecordFhirTables.Resources);
        var (type, id) = (version.Type, version.Id);
        await ExecuteAsync(context, cancellationToken,
            $"update {resources} set is_current = 0 where resource_type = @type and resource_id = @id and is_current = 1", ("type", type), ("id", id));
        await ExecuteAsync(context, cancellationToken, $"""
            insert into {resources} (resource_type, resource_id, version_id, patient_id, last_updated, last_updated_us,
                tx_id, position, created_tx, created_pos, is_current, json)
            values (@type, @id, @version, @patient, @lastUpdated, @lastUpdatedUs, @tx, @position, @createdTx, @createdPos, 1, @json)
            """,
            ("type", type), ("id", id), ("version", version.VersionId), ("patient", patientId),
            ("lastUpdated", version.LastUpdated.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)),
            ("lastUpdatedUs", Chronicle.Fhir.Search.FhirDateRange.ToMicros(version.LastUpdated)),
            ("tx", position.Transaction), ("position", position.Position),
            ("createdTx", created.Transaction), ("createdPos", created.Position), ("json", FhirJson.Serialize(version.Resource)));

        var entries = RecordSearchIndex.Extract(version.Resource);
        var tokens = context.Table(Prefix + RecordFhirTables.Tokens);
        var dates = context.Table(Prefix + RecordFhirTables.Dates);
        var strings = context.Table(Prefix + RecordFhirTables.Strings);
        foreach (var table in new[] { tokens, dates, strings })
            await ExecuteAsync(context, cancellationToken, $"delete from {table} where resource_type = @type and resource_id = @id", ("type", type), ("id", id));
        foreach (var t in entries.Tokens.Distinct())
        {
            await ExecuteAsync(context, cancellationToken, $"insert into {tokens} values (@type, @id, @param, @system, @code)",
                ("type", type), ("id", id), ("param", t.Parameter), ("system", t.System), ("code", t.Code));
        }

        foreach (var d in entries.Dates.Distinct())
        {
            await ExecuteAsync(context, cancellationToken, $"insert into {dates} values (@type, @id, @param, @low, @high)",
                ("type", type), ("id", id), ("param", d.Parameter), ("low", d.Range.Low), ("high", d.Range.High));
        }

        foreach (var s in entries.Strings.Distinct())
        {
            await ExecuteAsync(context, cancellationToken, $"insert into {strings} values (@type, @id, @param, @norm, @exact)",
                ("type", type), ("id", id), ("param", s.Parameter), ("norm", s.Normalised), ("exact", s.Exact));
        }
    }

    private static string Id(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    private static async Task ExecuteAsync(ProjectionContext context, CancellationToken cancellationToken, string sql,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = context.CreateCommand(sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
