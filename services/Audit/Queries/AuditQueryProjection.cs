using Chronicle.Audit.Chain;
using Chronicle.EventStore;
using Chronicle.Fhir.Search;
using Chronicle.Projections;

namespace Chronicle.Audit.Queries;

/// <summary>
/// Copies each chained entry of <see cref="AuditLog.LogStream"/> into one row of <see cref="Entries"/>, indexed for the
/// questions auditors ask: by patient, user, organisation, time and action. The chain stays the record; these rows are a
/// view of it that <see cref="ProjectionRunner.RebuildAsync"/> can rebuild at any time. Links that do not read as intact
/// are left out (the verifier reports them).
/// </summary>
public sealed class AuditQueryProjection : IProjection
{
    // v2 added access_grounds: a new table name makes the runner build it afresh from the chain.
    public const string Entries = "audit_entries_v2";

    public string Name => "audit-queries";

    public IReadOnlyList<string> Tables { get; } = [Entries];

    public async Task CreateTablesAsync(ProjectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var table = context.Table(Entries);
        // The version 1 table (without access_grounds) is replaced by this one, which is filled again from the chain.
        await ExecuteAsync(context, "drop table if exists audit_entries", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(context, $"""
            create table {table} (
                seq                bigint  primary key,
                entry_id           text    not null unique,
                occurred_us        bigint  not null,
                service            text    not null,
                user_id            text,
                role               text,
                organisation_ods   text,
                client_id          text,
                patient_id         text,
                action             text    not null,
                resource_type      text,
                resource_id        text,
                outcome            integer not null,
                access_grounds     text,
                entry_json         text    not null
            )
            """, cancellationToken).ConfigureAwait(false);
        foreach (var column in new[] { "patient_id", "user_id", "organisation_ods", "action", "occurred_us", "access_grounds" })
            await ExecuteAsync(context, $"create index {table}_by_{column} on {table} ({column}, seq)", cancellationToken).ConfigureAwait(false);
    }

    public async Task ApplyAsync(ProjectionContext context, RecordedEvent recorded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorded);
        if (recorded.StreamId != AuditLog.LogStream || ChainLink.TryRead(recorded.Data) is not { Intact: true, Link: var link })
            return;
        var entry = link.Entry;
        await using var command = context.CreateCommand($"""
            insert into {context.Table(Entries)} (seq, entry_id, occurred_us, service, user_id, role, organisation_ods, client_id,
                patient_id, action, resource_type, resource_id, outcome, access_grounds, entry_json)
            values (@seq, @entryId, @occurred, @service, @userId, @role, @ods, @clientId, @patientId, @action, @resourceType,
                @resourceId, @outcome, @grounds, @json)
            on conflict (seq) do nothing
            """,
            ("seq", link.Seq), ("entryId", entry.EntryId.ToString("D")), ("occurred", FhirDateRange.ToMicros(entry.OccurredAt)),
            ("service", entry.Service), ("userId", entry.UserId), ("role", entry.Role), ("ods", entry.OrganisationOds),
            ("clientId", entry.ClientId), ("patientId", entry.PatientId), ("action", entry.Action.ToString()),
            ("resourceType", entry.ResourceType), ("resourceId", entry.ResourceId), ("outcome", entry.Outcome),
            ("grounds", entry.AccessGrounds), ("json", System.Text.Encoding.UTF8.GetString(Auditing.AuditCanonicalForm.ToBytes(entry))));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(ProjectionContext context, string sql, CancellationToken cancellationToken)
    {
        await using var command = context.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
