using Chronicle.EventStore;
using Chronicle.Fhir;
using Chronicle.Projections;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Record.Fhir;

/// <summary>
/// Projects patient streams into FHIR resource versions and their search index. Each event goes through
/// <see cref="PatientRecordFhirBuilder"/>, fed with the current version it touches, read from this projection's own
/// tables inside the same transaction. Every version is kept; only the current one is indexed for search.
/// </summary>
public sealed class RecordFhirProjection : IProjection
{
    public const string ProjectionName = "record-fhir";

    public string Name => ProjectionName;

    public IReadOnlyList<string> Tables { get; } = [RecordFhirTables.Resources, RecordFhirTables.Tokens, RecordFhirTables.Dates, RecordFhirTables.Strings];

    public async Task CreateTablesAsync(ProjectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var statement in RecordFhirTables.CreateStatements(context.Table))
        {
            await using var command = context.CreateCommand(statement);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task ApplyAsync(ProjectionContext context, RecordedEvent recorded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (RecordFhirEvent.TryDecode(recorded) is not { } change)
            return;
        var patientId = FhirValues.Id(change.PatientId);
        var current = await LoadCurrentAsync(context, patientId, FhirValues.Id(change.TouchedId), cancellationToken).ConfigureAwait(false);
        foreach (var version in PatientRecordFhirBuilder.Build(change, current?.Parse()))
        {
            var created = current is not null && current.Id == version.Id ? current.Created : recorded.LogPosition;
            await WriteVersionAsync(context, patientId, version, recorded.LogPosition, created, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<StoredResource?> LoadCurrentAsync(ProjectionContext context, string patientId, string resourceId,
        CancellationToken cancellationToken)
    {
        await using var command = context.CreateCommand($"""
            select {StoredResource.Columns} from {context.Table(RecordFhirTables.Resources)}
            where resource_id = @id and patient_id = @patient and is_current = 1
            """, ("id", resourceId), ("patient", patientId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? StoredResource.Read(reader) : null;
    }

    private static async Task WriteVersionAsync(ProjectionContext context, string patientId, ResourceVersion version, LogPosition position,
        LogPosition created, CancellationToken cancellationToken)
    {
        var resources = context.Table(RecordFhirTables.Resources);
        var type = version.Type;
        var id = version.Id;
        var lastUpdated = version.LastUpdated;
        await ExecuteAsync(context, cancellationToken,
            $"update {resources} set is_current = 0 where resource_type = @type and resource_id = @id and is_current = 1",
            ("type", type), ("id", id));
        await ExecuteAsync(context, cancellationToken, $"""
            insert into {resources} (resource_type, resource_id, version_id, patient_id, last_updated, last_updated_us,
                tx_id, position, created_tx, created_pos, is_current, json)
            values (@type, @id, @version, @patient, @lastUpdated, @lastUpdatedUs, @tx, @position, @createdTx, @createdPos, 1, @json)
            """,
            ("type", type), ("id", id), ("version", version.VersionId),
            ("patient", patientId), ("lastUpdated", FhirValues.DateTime(lastUpdated)),
            ("lastUpdatedUs", Chronicle.Fhir.Search.FhirDateRange.ToMicros(lastUpdated)),
            ("tx", position.Transaction), ("position", position.Position),
            ("createdTx", created.Transaction), ("createdPos", created.Position), ("json", FhirJson.Serialize(version.Resource)));
        await ReplaceIndexAsync(context, type, id, RecordSearchIndex.Extract(version.Resource), cancellationToken).ConfigureAwait(false);
    }

    private static async Task ReplaceIndexAsync(ProjectionContext context, string type, string id, SearchIndexEntries entries,
        CancellationToken cancellationToken)
    {
        var tokens = context.Table(RecordFhirTables.Tokens);
        var dates = context.Table(RecordFhirTables.Dates);
        var strings = context.Table(RecordFhirTables.Strings);
        foreach (var table in new[] { tokens, dates, strings })
        {
            await ExecuteAsync(context, cancellationToken, $"delete from {table} where resource_type = @type and resource_id = @id",
                ("type", type), ("id", id));
        }

        foreach (var token in entries.Tokens.Distinct())
        {
            await ExecuteAsync(context, cancellationToken,
                $"insert into {tokens} (resource_type, resource_id, param, system, code) values (@type, @id, @param, @system, @code)",
                ("type", type), ("id", id), ("param", token.Parameter), ("system", token.System), ("code", token.Code));
        }

        foreach (var date in entries.Dates.Distinct())
        {
            await ExecuteAsync(context, cancellationToken,
                $"insert into {dates} (resource_type, resource_id, param, low_us, high_us) values (@type, @id, @param, @low, @high)",
                ("type", type), ("id", id), ("param", date.Parameter), ("low", date.Range.Low), ("high", date.Range.High));
        }

        foreach (var text in entries.Strings.Distinct())
        {
            await ExecuteAsync(context, cancellationToken,
                $"insert into {strings} (resource_type, resource_id, param, value_norm, value_exact) values (@type, @id, @param, @norm, @exact)",
                ("type", type), ("id", id), ("param", text.Parameter), ("norm", text.Normalised), ("exact", text.Exact));
        }
    }

    private static async Task ExecuteAsync(ProjectionContext context, CancellationToken cancellationToken, string sql,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = context.CreateCommand(sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The projection's tables. The same DDL runs on PostgreSQL and SQLite (bigint is an integer there).</summary>
public static class RecordFhirTables
{
    public const string Resources = "fhir_resources";
    public const string Tokens = "fhir_tokens";
    public const string Dates = "fhir_dates";
    public const string Strings = "fhir_strings";

    /// <param name="table">Maps a logical table name to its physical name; index names derive from the physical one.</param>
    public static IEnumerable<string> CreateStatements(Func<string, string> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var resources = table(Resources);
        var tokens = table(Tokens);
        var dates = table(Dates);
        var strings = table(Strings);
        return
        [
            $"""
            create table {resources} (
                resource_type   text    not null,
                resource_id     text    not null,
                version_id      bigint  not null,
                patient_id      text    not null,
                last_updated    text    not null,
                last_updated_us bigint  not null,
                tx_id           bigint  not null,
                position        bigint  not null,
                created_tx      bigint  not null,
                created_pos     bigint  not null,
                is_current      integer not null,
                json            text    not null,
                primary key (resource_type, resource_id, version_id)
            )
            """,
            $"create index {resources}_by_id on {resources} (resource_id, is_current)",
            $"create index {resources}_by_type on {resources} (resource_type, is_current, created_tx, created_pos, resource_id)",
            $"create index {resources}_by_patient on {resources} (patient_id, is_current)",
            $"create table {tokens} (resource_type text not null, resource_id text not null, param text not null, system text not null, code text not null)",
            $"create index {tokens}_by_code on {tokens} (resource_type, param, code)",
            $"create index {tokens}_by_resource on {tokens} (resource_type, resource_id)",
            $"create table {dates} (resource_type text not null, resource_id text not null, param text not null, low_us bigint not null, high_us bigint not null)",
            $"create index {dates}_by_low on {dates} (resource_type, param, low_us)",
            $"create index {dates}_by_resource on {dates} (resource_type, resource_id)",
            $"create table {strings} (resource_type text not null, resource_id text not null, param text not null, value_norm text not null, value_exact text not null)",
            $"create index {strings}_by_value on {strings} (resource_type, param, value_norm)",
            $"create index {strings}_by_resource on {strings} (resource_type, resource_id)",
        ];
    }
}
