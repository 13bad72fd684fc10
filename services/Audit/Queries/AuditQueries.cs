using System.Text.Json;
using Chronicle.Auditing;
using Chronicle.EventStore;
using Chronicle.Fhir.Search;
using Chronicle.Projections;

namespace Chronicle.Audit.Queries;

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
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        var sql = new AuditSearchSql();
        foreach (var criterion in criteria)
            sql.Add(criterion);
        if (afterSeq is { } after)
            sql.After(after);
        return QueryAsync($"select {Columns} from {AuditQueryProjection.Entries} e where {sql.Where} order by e.seq limit @limit",
            cancellationToken, [.. sql.Parameters, ("limit", limit)]);
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
