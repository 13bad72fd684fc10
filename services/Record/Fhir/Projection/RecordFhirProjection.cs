using System.Globalization;
using System.Text;
using Chronicle.EventStore;
using Chronicle.Fhir;
using Chronicle.Projections;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Chronicle.Record.Application;

namespace Chronicle.Record.Fhir.Projection;

/// <summary>
/// Projects patient streams into FHIR resource versions and their search index. Each event goes through
/// <see cref="PatientRecordFhirBuilder"/>, fed with the current version it touches, as this projection's own tables
/// hold it at that point of the batch's transaction. Every version is kept; only the current one is indexed for search.
/// </summary>
/// <remarks>
/// A batch costs a handful of round trips, not a dozen per event: <see cref="BeginBatchAsync"/> loads in one query the
/// current rows of every id the batch may touch, <see cref="ApplyAsync"/> builds against that snapshot and the
/// versions written earlier in the batch (<see cref="BatchWrites"/>), and <see cref="EndBatchAsync"/> queues what the
/// batch leaves behind: is_current cleared and index rows deleted only for resources that had a current row before
/// the batch, then every new version and the index rows of those still current, in multi-row inserts. The tables end
/// up exactly as if each event's statements had run one by one.
/// </remarks>
public sealed class RecordFhirProjection : IBatchProjection
{
    public const string ProjectionName = "record-fhir";

    /// <summary>
    /// 2: extensions at Chronicle's https canonicals, vital-sign profiles, Procedure. 3: a generated narrative on every
    /// resource, and no abatement on an entered-in-error Condition. 4: Observation category indexed for search. Tables of an
    /// earlier version are rebuilt at start
    /// while they keep serving (<see cref="IProjection.Version"/>).
    /// </summary>
    public int Version => 4;

    // Rows per multi-row INSERT on SQLite, and ids per IN list of the batch's read. Microsoft.Data.Sqlite looks each
    // parameter up by name among the statement's, so a statement's cost grows with the square of its parameters:
    // a few hundred keep that small while still saving most of the per-statement overhead.
    private const int RowsPerInsert = 50;
    private const int IdsPerRead = 250;

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

    public async Task BeginBatchAsync(ProjectionContext context, IReadOnlyList<RecordedEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(events);
        var batch = BatchWrites.Of(context);
        var ids = new List<string>(events.Count * 2);
        foreach (var recorded in events)
        {
            RecordEvent? change;
            try
            {
                change = RecordEvent.TryDecode(recorded);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // ApplyAsync decodes it again and fails there, naming the event.
                continue;
            }

            batch.Decoded[recorded] = change;
            if (change is null)
                continue;
            ids.Add(FhirValues.Id(change.TouchedId));
            ids.Add(FhirValues.Id(recorded.EventId)); // the Provenance's id
        }

        await batch.LoadAsync(context, ids, cancellationToken).ConfigureAwait(false);
    }

    public async Task ApplyAsync(ProjectionContext context, RecordedEvent recorded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorded);
        var batch = BatchWrites.Of(context);
        var change = batch.Decoded.Remove(recorded, out var decoded) ? decoded : RecordEvent.TryDecode(recorded);
        if (change is null)
            return;
        var patientId = FhirValues.Id(change.PatientId);
        var touchedId = FhirValues.Id(change.TouchedId);
        await batch.LoadAsync(context, [touchedId, FhirValues.Id(recorded.EventId)], cancellationToken).ConfigureAwait(false);
        var current = batch.Current(touchedId, patientId);
        foreach (var version in PatientRecordFhirBuilder.Build(change, current?.Parse()))
        {
            var created = current is not null && current.Id == version.Id ? current.Created : recorded.LogPosition;
            await batch.LoadAsync(context, [version.Id], cancellationToken).ConfigureAwait(false);
            batch.Write(patientId, version, recorded.LogPosition, created);
        }
    }

    public Task EndBatchAsync(ProjectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        BatchWrites.Of(context).Enqueue(context);
        return Task.CompletedTask;
    }

    /// <summary>
    /// One batch's view of the resource table: the current rows (as of the batch's start) of every id it has loaded,
    /// with the versions the batch has written on top. An id is read from the database at most once a batch and
    /// before the batch writes anything under it, so the database still holds its state from the batch's start.
    /// </summary>
    private sealed class BatchWrites
    {
        private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<Row>> _byId = new(StringComparer.Ordinal);
        private readonly HashSet<(string Type, string Id)> _supersededInDatabase = [];
        private readonly List<Row> _written = [];

        public Dictionary<RecordedEvent, RecordEvent?> Decoded { get; } = new(ReferenceEqualityComparer.Instance);

        public static BatchWrites Of(ProjectionContext context) =>
            context.BatchState as BatchWrites ?? (BatchWrites)(context.BatchState = new BatchWrites());

        /// <summary>Reads the current rows of whichever of <paramref name="ids"/> this batch has not read yet.</summary>
        public async Task LoadAsync(ProjectionContext context, IEnumerable<string> ids, CancellationToken cancellationToken)
        {
            var missing = ids.Where(_loaded.Add).ToList();
            foreach (var chunk in missing.Chunk(IdsPerRead))
            {
                var names = chunk.Select((_, i) => "id" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
                await using var command = context.CreateCommand($"""
                    select {StoredResource.Columns} from {context.Table(RecordFhirTables.Resources)}
                    where resource_id in ({string.Join(", ", names.Select(n => "@" + n))}) and is_current = 1
                    """, [.. chunk.Select((id, i) => (names[i], (object?)id))]);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    RowsOf(reader.GetString(1)).Add(new Row(StoredResource.Read(reader), Written: null));
            }
        }

        /// <summary>What <c>resource_id = id and patient_id = patient and is_current = 1</c> would find now.</summary>
        public StoredResource? Current(string id, string patientId) =>
            _byId.TryGetValue(id, out var rows) ? rows.FirstOrDefault(r => r.IsCurrent && r.Stored.PatientId == patientId)?.Stored : null;

        /// <summary>Makes <paramref name="version"/> the current version of its resource, as an update of the old and an insert would.</summary>
        public void Write(string patientId, ResourceVersion version, LogPosition position, LogPosition created)
        {
            var rows = RowsOf(version.Id);
            foreach (var row in rows)
            {
                if (!row.IsCurrent || row.Stored.Type != version.Type)
                    continue;
                row.IsCurrent = false;
                if (row.Written is null)
                    _supersededInDatabase.Add((version.Type, version.Id));
            }

            var json = FhirJson.Serialize(version.Resource);
            var row2 = new Row(new StoredResource(version.Type, version.Id, version.VersionId, patientId, json, created),
                new WrittenVersion(version, position));
            rows.Add(row2);
            _written.Add(row2);
        }

        /// <summary>Queues the batch's net effect on the tables.</summary>
        public void Enqueue(ProjectionContext context)
        {
            var resources = context.Table(RecordFhirTables.Resources);
            var tokens = context.Table(RecordFhirTables.Tokens);
            var dates = context.Table(RecordFhirTables.Dates);
            var strings = context.Table(RecordFhirTables.Strings);

            // Before the inserts, which would otherwise match "is_current = 1" too.
            foreach (var (type, id) in _supersededInDatabase)
            {
                context.Enqueue($"update {resources} set is_current = 0 where resource_type = @type and resource_id = @id and is_current = 1",
                    ("type", type), ("id", id));
                foreach (var table in new[] { tokens, dates, strings })
                    context.Enqueue($"delete from {table} where resource_type = @type and resource_id = @id", ("type", type), ("id", id));
            }

            InsertRows(context, $"{resources} (resource_type, resource_id, version_id, patient_id, last_updated, last_updated_us, " +
                "tx_id, position, created_tx, created_pos, is_current, json)", _written, row =>
            {
                var stored = row.Stored;
                var written = row.Written!;
                var lastUpdated = written.Version.LastUpdated;
                return
                [
                    stored.Type, stored.Id, stored.VersionId, stored.PatientId, FhirValues.DateTime(lastUpdated),
                    Chronicle.Fhir.Search.FhirDateRange.ToMicros(lastUpdated), written.Position.Transaction, written.Position.Position,
                    stored.Created.Transaction, stored.Created.Position, row.IsCurrent ? 1 : 0, stored.Json,
                ];
            });

            // Index rows only for versions still current: those of a version superseded within the batch would be deleted again.
            var indexed = _written.Where(r => r.IsCurrent)
                .Select(r => (r.Stored.Type, r.Stored.Id, Entries: RecordSearchIndex.Extract(r.Written!.Version.Resource)))
                .ToList();
            InsertRows(context, $"{tokens} (resource_type, resource_id, param, system, code)",
                indexed.SelectMany(r => r.Entries.Tokens.Distinct().Select(t => (r.Type, r.Id, t))).ToList(),
                x => [x.Type, x.Id, x.t.Parameter, x.t.System, x.t.Code]);
            InsertRows(context, $"{dates} (resource_type, resource_id, param, low_us, high_us)",
                indexed.SelectMany(r => r.Entries.Dates.Distinct().Select(d => (r.Type, r.Id, d))).ToList(),
                x => [x.Type, x.Id, x.d.Parameter, x.d.Range.Low, x.d.Range.High]);
            InsertRows(context, $"{strings} (resource_type, resource_id, param, value_norm, value_exact)",
                indexed.SelectMany(r => r.Entries.Strings.Distinct().Select(v => (r.Type, r.Id, v))).ToList(),
                x => [x.Type, x.Id, x.v.Parameter, x.v.Normalised, x.v.Exact]);
        }

        private List<Row> RowsOf(string id)
        {
            if (!_byId.TryGetValue(id, out var rows))
                _byId[id] = rows = [];
            return rows;
        }

        private static void InsertRows<T>(ProjectionContext context, string into, IReadOnlyList<T> rows, Func<T, object?[]> values)
        {
            if (rows.Count == 0)
                return;
            if (context.Dialect == SqlDialect.Postgres)
            {
                // One array a column: a statement of a dozen parameters however many rows, which PostgreSQL binds far
                // faster than thousands of scalars.
                var table = rows.Select(values).ToList();
                var columns = Enumerable.Range(0, table[0].Length).Select(c => ColumnArray(table, c)).ToArray();
                var names = columns.Select((_, c) => "c" + c.ToString(CultureInfo.InvariantCulture)).ToArray();
                context.Enqueue($"insert into {into} select * from unnest({string.Join(", ", names.Select(n => "@" + n))})",
                    [.. columns.Select((column, c) => (names[c], (object?)column))]);
                return;
            }

            foreach (var chunk in rows.Chunk(RowsPerInsert))
            {
                var sql = new StringBuilder("insert into ").Append(into).Append(" values ");
                var parameters = new List<(string Name, object? Value)>();
                for (var r = 0; r < chunk.Length; r++)
                {
                    sql.Append(r == 0 ? "(" : ", (");
                    var row = values(chunk[r]);
                    for (var c = 0; c < row.Length; c++)
                    {
                        var name = "p" + parameters.Count.ToString(CultureInfo.InvariantCulture);
                        sql.Append(c == 0 ? "@" : ", @").Append(name);
                        parameters.Add((name, row[c]));
                    }

                    sql.Append(')');
                }

                context.Enqueue(sql.ToString(), [.. parameters]);
            }
        }

        /// <summary>Column <paramref name="c"/> as a typed array (text[], bigint[] or integer[] to Npgsql).</summary>
        private static Array ColumnArray(List<object?[]> table, int c) => table[0][c] switch
        {
            string => table.Select(row => (string)row[c]!).ToArray(),
            long => table.Select(row => (long)row[c]!).ToArray(),
            int => table.Select(row => (int)row[c]!).ToArray(),
            var other => throw new InvalidOperationException($"No array type for {other?.GetType().Name ?? "null"}."),
        };
    }

    /// <summary>A row of the resource table as this batch sees it; <see cref="Written"/> is null for a row already in the database.</summary>
    private sealed record Row(StoredResource Stored, WrittenVersion? Written)
    {
        public bool IsCurrent { get; set; } = true;
    }

    private sealed record WrittenVersion(ResourceVersion Version, LogPosition Position);
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
