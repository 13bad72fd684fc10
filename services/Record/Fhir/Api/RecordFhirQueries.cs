using System.Text;
using System.Data.Common;
using System.Globalization;
using Chronicle.Fhir.Search;
using Chronicle.Projections;

using Chronicle.Record.Fhir.Projection;

namespace Chronicle.Record.Fhir.Api;

/// <summary>Reads the projection's tables (by their logical names, which a rebuild swaps underneath).</summary>
public sealed class RecordFhirQueries(ReadModelDatabase database)
{
    private const string Resources = RecordFhirTables.Resources;

    public async Task<StoredResource?> ReadCurrentAsync(string type, string id, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"""
            select {StoredResource.Columns} from {Resources}
            where resource_type = @type and resource_id = @id and is_current = 1
            """, cancellationToken, ("type", type), ("id", id)).ConfigureAwait(false);
        return rows.SingleOrDefault();
    }

    public async Task<StoredResource?> ReadVersionAsync(string type, string id, long versionId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"""
            select {StoredResource.Columns} from {Resources}
            where resource_type = @type and resource_id = @id and version_id = @version
            """, cancellationToken, ("type", type), ("id", id), ("version", versionId)).ConfigureAwait(false);
        return rows.SingleOrDefault();
    }

    /// <summary>Versions newest first, strictly older than <paramref name="beforeVersion"/> when given.</summary>
    public Task<IReadOnlyList<StoredResource>> HistoryAsync(string type, string id, long? beforeVersion, long? sinceMicros, int limit,
        CancellationToken cancellationToken) =>
        QueryAsync($"""
            select {StoredResource.Columns} from {Resources}
            where resource_type = @type and resource_id = @id
              {(beforeVersion is null ? "" : "and version_id < @before")}
              {(sinceMicros is null ? "" : "and last_updated_us >= @since")}
            order by version_id desc
            limit @limit
            """, cancellationToken, ("type", type), ("id", id), ("before", beforeVersion), ("since", sinceMicros), ("limit", limit));

    /// <summary>Current versions of one type matching every criterion, in sort-key order after <paramref name="after"/>.</summary>
    public Task<IReadOnlyList<StoredResource>> SearchAsync(string type, IReadOnlyList<SearchCriterion> criteria, ResourceSortKey? after,
        int limit, CancellationToken cancellationToken)
    {
        var sql = new SearchSql(type);
        foreach (var criterion in criteria)
            sql.Add(criterion);
        if (after is { } key)
            sql.After(key);
        return QueryAsync($"""
            select {StoredResource.Columns} from {Resources} v
            where {sql.Where}
            order by v.created_tx, v.created_pos, v.resource_id
            limit @limit
            """, cancellationToken, [.. sql.Parameters, ("limit", limit)]);
    }

    /// <summary>
    /// Current versions of one type matching every criterion, in the order <paramref name="sort"/> asks for (then by
    /// sort key), after <paramref name="after"/>. Without a sort, the order of <see cref="SearchAsync(string, IReadOnlyList{SearchCriterion}, ResourceSortKey?, int, CancellationToken)"/>.
    /// </summary>
    public async Task<IReadOnlyList<SearchRow>> SearchAsync(string type, IReadOnlyList<SearchCriterion> criteria, IReadOnlyList<SearchSortKey> sort,
        SearchPosition? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sort);
        if (sort.Count == 0)
        {
            var rows = await SearchAsync(type, criteria, after?.Key, limit, cancellationToken).ConfigureAwait(false);
            return [.. rows.Select(r => new SearchRow(r, new SearchPosition([], r.Key)))];
        }

        var sql = new SearchSql(type);
        foreach (var criterion in criteria)
            sql.Add(criterion);
        var values = string.Join(", ", sort.Select((k, i) => $"{sql.SortValue(k)} as s{i}"));
        var afterCondition = after is null ? "1 = 1" : sql.AfterSorted(sort, after);
        var columns = string.Join(", ", StoredResource.Columns.Split(", ").Select(c => "v." + c));
        var sorted = await QueryAsync($"""
            select {StoredResource.Columns}, {string.Join(", ", sort.Select((_, i) => $"s{i}"))} from (
                select {columns}, {values} from {Resources} v
                where {sql.Where}
            ) x
            where {afterCondition}
            order by {SearchSql.OrderBy(sort)}
            limit @limit
            """, cancellationToken, reader =>
            {
                var row = StoredResource.Read(reader);
                return new SearchRow(row, new SearchPosition([.. sort.Select((_, i) => reader.IsDBNull(7 + i) ? (long?)null : reader.GetInt64(7 + i))], row.Key));
            },
            [.. sql.Parameters, ("limit", limit)]).ConfigureAwait(false);
        return sorted;
    }

    /// <summary>How many current versions of one type match every criterion, by the patient they belong to.</summary>
    public async Task<IReadOnlyList<(string PatientId, long Count)>> CountByPatientAsync(string type, IReadOnlyList<SearchCriterion> criteria,
        CancellationToken cancellationToken)
    {
        var sql = new SearchSql(type);
        foreach (var criterion in criteria)
            sql.Add(criterion);
        return await QueryAsync($"""
            select v.patient_id, count(*) from {Resources} v
            where {sql.Where}
            group by v.patient_id
            """, cancellationToken, reader => (reader.GetString(0), reader.GetInt64(1)), [.. sql.Parameters]).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredResource>> ReadCurrentAsync(string type, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
            return [];
        var names = ids.Select((_, i) => "@id" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        return await QueryAsync($"""
            select {StoredResource.Columns} from {Resources}
            where resource_type = @type and is_current = 1 and resource_id in ({string.Join(", ", names)})
            order by created_tx, created_pos, resource_id
            """, cancellationToken, [("type", type), .. ids.Select((id, i) => (names[i][1..], (object?)id))]).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of the current version of every resource of one patient's record, the Patient included, in sort-key
    /// order after <paramref name="after"/>, last updated at or after <paramref name="sinceMicros"/> when given, and only
    /// those <paramref name="filter"/> keeps (<c>$everything</c>'s types and care date range).
    /// </summary>
    public Task<IReadOnlyList<StoredResource>> PatientRecordPageAsync(string patientId, ResourceSortKey? after, long? sinceMicros, int limit,
        CancellationToken cancellationToken, EverythingFilter? filter = null)
    {
        var (condition, parameters) = EverythingCondition(filter ?? EverythingFilter.All);
        return QueryAsync($"""
            select {StoredResource.Columns} from {Resources} v
            where patient_id = @patient and is_current = 1
              {(after is null ? "" : "and (created_tx, created_pos, resource_id) > (@tx, @pos, @id)")}
              {(sinceMicros is null ? "" : "and last_updated_us >= @since")}
              {condition}
            order by created_tx, created_pos, resource_id
            limit @limit
            """, cancellationToken, [("patient", patientId), ("tx", after?.Created.Transaction), ("pos", after?.Created.Position), ("id", after?.Id),
            ("since", sinceMicros), ("limit", limit), .. parameters]);
    }

    /// <summary>How many resources <see cref="PatientRecordPageAsync"/> returns over all its pages.</summary>
    public async Task<long> PatientRecordCountAsync(string patientId, long? sinceMicros, EverythingFilter filter, CancellationToken cancellationToken)
    {
        var (condition, parameters) = EverythingCondition(filter);
        var rows = await QueryAsync($"""
            select count(*) from {Resources} v
            where patient_id = @patient and is_current = 1
              {(sinceMicros is null ? "" : "and last_updated_us >= @since")}
              {condition}
            """, cancellationToken, reader => reader.GetInt64(0), [("patient", patientId), ("since", sinceMicros), .. parameters]).ConfigureAwait(false);
        return rows.Single();
    }

    private static (string Sql, (string Name, object? Value)[] Parameters) EverythingCondition(EverythingFilter filter)
    {
        var sql = new StringBuilder();
        var parameters = new List<(string Name, object? Value)>();
        string Parameter(object value)
        {
            var name = "e" + parameters.Count.ToString(CultureInfo.InvariantCulture);
            parameters.Add((name, value));
            return "@" + name;
        }

        if (filter.Types is { } types)
            sql.Append($"and v.resource_type in ({string.Join(", ", types.Order(StringComparer.Ordinal).Select(Parameter))}) ");
        if (filter.HasCareRange)
        {
            var careDate = string.Join(" ", RecordFhirDefinitions.CareDates.Select(c => $"when {Parameter(c.Key)} then {Parameter(c.Value)}"));
            sql.Append($"and (v.resource_type = {Parameter(RecordFhirDefinitions.Patient.Type)} or exists (select 1 from {RecordFhirTables.Dates} i ")
                .Append("where i.resource_type = v.resource_type and i.resource_id = v.resource_id ")
                .Append($"and i.param = (case v.resource_type {careDate} end)");
            if (filter.CareFrom is { } from)
                sql.Append($" and i.high_us >= {Parameter(from)}");
            if (filter.CareTo is { } to)
                sql.Append($" and i.low_us <= {Parameter(to)}");
            sql.Append("))");
        }

        return (sql.ToString(), [.. parameters]);
    }

    private Task<IReadOnlyList<StoredResource>> QueryAsync(string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters) =>
        QueryAsync(sql, cancellationToken, StoredResource.Read, parameters);

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, CancellationToken cancellationToken, Func<DbDataReader, T> read,
        params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            if (value is null)
                continue;
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        var rows = new List<T>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            rows.Add(read(reader));
        return rows;
    }
}
