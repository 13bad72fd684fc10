using System.Text.Json;
using Chronicle.Auditing;
using Chronicle.EventStore;
using Chronicle.Fhir.Search;
using Chronicle.Projections;

namespace Chronicle.Audit.Queries;

/// <summary>Where an entry stands in a search's order: its time in microseconds (when sorted by time) and its sequence number.</summary>
public readonly record struct AuditPosition(long? OccurredMicros, long Seq);

/// <summary>A chained entry as the query tables hold it.</summary>
public sealed record ChainedAuditEntry(long Seq, AuditEntry Entry);

/// <summary>
/// The query side of the audit log: <see cref="AuditQueryProjection"/>, hosted by libs/Projections, and the searches over
/// its table (by patient, user, organisation, time, action and more), in chain order, paged by sequence number.
/// </summary>
public sealed class AuditQueryReadModel(HostedProjection<AuditQueryProjection> projection, ReadModelDatabase database)
{
    private const string Columns = "e.seq, e.entry_json";
    private readonly HostedProjection<AuditQueryProjection> _runner = projection ?? throw new ArgumentNullException(nameof(projection));
    private readonly ReadModelDatabase _database = database ?? throw new ArgumentNullException(nameof(database));

    public LogPosition Checkpoint => _runner.Checkpoint;

    public Task StartAsync(CancellationToken cancellationToken = default) => _runner.StartAsync(cancellationToken);

    public Task WaitForAsync(LogPosition position, CancellationToken cancellationToken = default) => _runner.WaitForAsync(position, cancellationToken);

    public Task<ProjectionLag> GetLagAsync(CancellationToken cancellationToken = default) => _runner.GetLagAsync(cancellationToken);

    public Task RebuildAsync(CancellationToken cancellationToken = default) => _runner.RebuildAsync(cancellationToken);

    public async Task<ChainedAuditEntry?> ReadAsync(Guid entryId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"select {Columns} from {AuditQueryProjection.Entries} e where e.entry_id = @id",
            cancellationToken, ("id", entryId.ToString("D"))).ConfigureAwait(false);
        return rows.SingleOrDefault();
    }

    /// <summary>Entries matching every criterion, in chain order, after <paramref name="afterSeq"/> when given.</summary>
    public Task<IReadOnlyList<ChainedAuditEntry>> SearchAsync(IReadOnlyList<SearchCriterion> criteria, long? afterSeq, int limit,
        CancellationToken cancellationToken) =>
        SearchAsync(criteria, byTime: false, descending: false, afterSeq is { } seq ? new AuditPosition(null, seq) : null, limit, cancellationToken);

    /// <summary>
    /// Entries matching every criterion after <paramref name="after"/>: in chain order, or by <paramref name="byTime"/> when
    /// the entry was answered (<paramref name="descending"/>: latest first), then in chain order.
    /// </summary>
    public Task<IReadOnlyList<ChainedAuditEntry>> SearchAsync(IReadOnlyList<SearchCriterion> criteria, bool byTime, bool descending,
        AuditPosition? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var sql = new AuditSearchSql();
        foreach (var criterion in criteria)
            sql.Add(criterion);
        if (after is { } position)
            sql.After(position, byTime, descending);
        var order = byTime ? $"e.occurred_us{(descending ? " desc" : "")}, e.seq" : "e.seq";
        return QueryAsync($"select {Columns} from {AuditQueryProjection.Entries} e where {sql.Where} order by {order} limit @limit",
            cancellationToken, [.. sql.Parameters, ("limit", limit)]);
    }

    /// <summary>How many entries match every criterion.</summary>
    public async Task<long> CountAsync(IReadOnlyList<SearchCriterion> criteria, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var sql = new AuditSearchSql();
        foreach (var criterion in criteria)
            sql.Add(criterion);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"select count(*) from {AuditQueryProjection.Entries} e where {sql.Where}";
        foreach (var (name, value) in sql.Parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<IReadOnlyList<ChainedAuditEntry>> QueryAsync(string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        var rows = new List<ChainedAuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using var json = JsonDocument.Parse(reader.GetString(1));
            rows.Add(new ChainedAuditEntry(reader.GetInt64(0), AuditCanonicalForm.Read(json.RootElement)));
        }

        return rows;
    }
}
