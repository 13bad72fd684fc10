using System.Text.RegularExpressions;
using Npgsql;

namespace Chronicle.EventStore.Postgres;

/// <summary>
/// Creates and migrates the store's schema. Migrations are numbered, applied in order inside one
/// transaction under an advisory lock (so concurrent starts are safe), and recorded in schema_migrations,
/// so running this again is a no-op.
/// </summary>
internal static partial class PostgresSchema
{
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex IdentifierPattern();

    public static string ValidateSchemaName(string schema) => IdentifierPattern().IsMatch(schema)
        ? schema
        : throw new ArgumentException($"Schema name '{schema}' must be a lower-case SQL identifier.", nameof(schema));

    private static IReadOnlyList<(int Version, string Description, string Sql)> Migrations(string s) =>
    [
        (1, "events table, position sequence, log clock and append function", $$"""
            create sequence {{s}}.events_position_seq as bigint;

            -- tx_id orders committing transactions; (tx_id, position) is the global log order.
            create table {{s}}.events (
                tx_id          bigint      not null,
                position       bigint      not null,
                stream_id      text        not null,
                stream_version bigint      not null,
                event_id       uuid        not null,
                event_type     text        not null,
                data           bytea       not null,
                metadata       bytea       not null,
                recorded_at    timestamptz not null,
                constraint events_pk primary key (tx_id, position),
                constraint events_stream_version_uk unique (stream_id, stream_version),
                constraint events_event_id_uk unique (event_id)
            );

            -- Added to the server's transaction ids so tx_id keeps rising after a dump is restored into a
            -- new cluster, whose transaction ids start again from small numbers.
            create table {{s}}.log_clock (
                id        int    primary key default 1 check (id = 1),
                tx_offset bigint not null
            );
            insert into {{s}}.log_clock (tx_offset) values (0);

            {{AppendFunction(s)}}
            """),
        (2, "append function names a stored event id first in a conflict", AppendFunction(s)),
        (3, "append function: a cheaper path for single events, answers without a query", AppendFunction(s)),
        (4, "events record their append's first version and size, so only a whole stored append replays; appends commit synchronously and refuse a clock behind the log", $$"""
            alter table {{s}}.events add column batch_first_version bigint, add column batch_size int;

            -- Before this migration an append was not recorded as such. A transaction's rows in one stream are the
            -- best account of it: exact for every append made in a transaction of its own (the plain path), and
            -- two appends to one stream in one caller transaction become one, whose parts then no longer replay.
            update {{s}}.events e
               set batch_first_version = b.first_version, batch_size = b.size
              from (select tx_id, stream_id, min(stream_version) as first_version, count(*)::int as size
                      from {{s}}.events group by tx_id, stream_id) b
             where e.tx_id = b.tx_id and e.stream_id = b.stream_id;

            alter table {{s}}.events alter column batch_first_version set not null, alter column batch_size set not null;

            {{AppendFunction(s)}}
            """),
        (5, "append function: a re-sent event may differ from the stored one in its tracing metadata (traceParent) only", AppendFunction(s)),
    ];

    /// <summary>
    /// One round trip per append. Its latest form is installed by every migration that changes it (create or
    /// replace), so a new schema and an upgraded one run the same function (the first migrations install it before
    /// the columns it writes exist; PL/pgSQL resolves names only when it runs). Status: 0 appended, 1 idempotent
    /// replay of a stored append (the same events, in the same order and stream, and the whole of that append),
    /// 2 wrong expected version (stream_version is the actual version), 3 event id conflict (conflict_id is
    /// a stored id whose stored event differs or lies elsewhere, else the first id of a partly stored batch that is
    /// not stored), 4 ordering conflict (see <see cref="AppendOrderConflictException"/>), 5 the log clock is behind
    /// the stored log (see <see cref="LogClockBehindException"/>).
    ///
    /// Why the global log can never skip (the argument the reader in PostgresEventStore relies on):
    /// 1. Each event row carries tx_id, the id of the transaction that wrote it (plus a constant offset).
    /// 2. A reader only returns rows with tx_id below the xmin of its own snapshot. Every transaction with
    ///    an id below xmin has finished, so its rows are all visible to the reader or will never exist.
    ///    Rows from a transaction still in flight all have tx_id >= xmin and are not read yet.
    /// 3. Hence once a reader has returned (t, p), no row with tx_id &lt; t can appear later, and rows with
    ///    tx_id = t were all visible together. Ordering by (tx_id, position) and paging strictly after the
    ///    last (tx_id, position) seen therefore never skips and never repeats, with no timeouts involved.
    /// Stream order agrees with log order: the stream's advisory lock is taken before anything gives the
    /// transaction an id, so a later writer of the same stream gets a larger id. A caller's own transaction
    /// that already had an id is checked explicitly (status 4) instead of trusted.
    /// The expected version is checked under that lock before nextval, so a losing writer burns no position.
    /// </summary>
    private static string AppendFunction(string s) => $$"""
        create or replace function {{s}}.append_events(
            p_stream text, p_expected bigint,
            p_ids uuid[], p_types text[], p_data bytea[], p_metadata bytea[])
        returns table (status int, stream_version bigint, tx bigint, positions bigint[], conflict_id uuid)
        language plpgsql
        as $fn$
        declare
            n           int := cardinality(p_ids);
            v_found     int;
            v_first     bigint;
            v_conflict  uuid;
            v_current   bigint;
            v_last_tx   bigint;
            v_last_time timestamptz;
            v_tx        bigint;
            v_now       timestamptz;
            v_positions bigint[];
        begin
            -- An acknowledged append must survive a server crash whatever the server or the session is set to. Local to
            -- the transaction and still in force when it commits (a SET clause on the function would end with the call).
            -- In a caller's transaction it makes that whole transaction's commit durable, as its events need.
            perform set_config('synchronous_commit', 'on', true);
            perform pg_advisory_xact_lock(hashtextextended('{{s}}:' || p_stream, 0));

            -- A single event (the common case) takes the cheapest path at each step: one index probe, one
            -- sequence call as a plain expression, one VALUES insert.
            if n = 1 then
                perform 1 from {{s}}.events e where e.event_id = p_ids[1];
                v_found := case when found then 1 else 0 end;
            else
                select count(*) into v_found from {{s}}.events e where e.event_id = any(p_ids);
            end if;
            if v_found > 0 then
                select e.stream_version into v_first from {{s}}.events e where e.event_id = p_ids[1] and e.stream_id = p_stream;
                select u.id into v_conflict
                  from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as u(id, t, d, m, i)
                  left join {{s}}.events e on e.event_id = u.id
                 where e.event_id is null or e.stream_id <> p_stream or e.event_type <> u.t or e.data <> u.d
                    -- The request's trace is diagnostic: a retry in another trace is still a re-send.
                    or (e.metadata <> u.m and (convert_from(e.metadata, 'UTF8')::jsonb - 'traceParent')
                        is distinct from (convert_from(u.m, 'UTF8')::jsonb - 'traceParent'))
                    or v_first is null or e.stream_version <> v_first + u.i - 1
                    -- Part of a stored append, or a span of two, is not a re-send of either.
                    or e.batch_first_version <> v_first or e.batch_size <> n
                 order by e.event_id is null, u.i
                 limit 1;
                if v_conflict is null then
                    status := 1;
                    select max(e.stream_version), max(e.tx_id), array_agg(e.position order by e.stream_version)
                      into stream_version, tx, positions
                      from {{s}}.events e where e.event_id = any(p_ids);
                else
                    status := 3;
                    conflict_id := v_conflict;
                end if;
                return next;
                return;
            end if;

            select e.stream_version, e.tx_id, e.recorded_at into v_current, v_last_tx, v_last_time
              from {{s}}.events e where e.stream_id = p_stream order by e.stream_version desc limit 1;
            if not found then
                v_current := -1;
            end if;

            if not (p_expected = -2
                    or (p_expected = -1 and v_current = -1)
                    or (p_expected = -4 and v_current >= 0)
                    or p_expected = v_current) then
                status := 2;
                stream_version := v_current;
                return next;
                return;
            end if;

            -- The first thing in this transaction that assigns it an id (unless the caller wrote earlier).
            select pg_current_xact_id()::text::bigint + c.tx_offset into v_tx from {{s}}.log_clock c;

            -- Every row this statement's snapshot sees was written by this transaction or committed before the snapshot
            -- was taken, by a transaction whose id was assigned before that, so below the snapshot's xmax (which may be
            -- at or below this transaction's own id, hence the greatest). The row's tx_id is that id plus the offset in
            -- force when it was written, and the offset never shrinks. So every row written through this clock has
            -- tx_id < greatest(xmax, own id + 1) + offset. A row at or above that bound came from elsewhere (a dump
            -- restored into the schema while the store ran): appending now would order new events before it, and
            -- readers would not reach it until the server's transaction ids caught up. InitializeAsync moves the
            -- offset past it.
            perform 1 from {{s}}.events e
             where e.tx_id >= (select greatest(pg_snapshot_xmax(pg_current_snapshot())::text::bigint, pg_current_xact_id()::text::bigint + 1)
                                      + c.tx_offset
                                 from {{s}}.log_clock c)
             limit 1;
            if found then
                status := 5;
                return next;
                return;
            end if;

            if v_tx < v_last_tx then
                status := 4;
                stream_version := v_current;
                return next;
                return;
            end if;

            -- Recorded times never go backwards within a stream, so an as-of-time read is a prefix.
            v_now := greatest(clock_timestamp(), v_last_time);
            if n = 1 then
                v_positions := array[nextval('{{s}}.events_position_seq')];
                insert into {{s}}.events (tx_id, position, stream_id, stream_version, event_id, event_type, data, metadata, recorded_at,
                                          batch_first_version, batch_size)
                values (v_tx, v_positions[1], p_stream, v_current + 1, p_ids[1], p_types[1], p_data[1], p_metadata[1], v_now, v_current + 1, 1);
            else
                -- Positions are drawn in ascending order, then paired with the events by their place in the batch,
                -- so log order within the batch is version order.
                select array_agg(q.p order by q.p) into v_positions
                  from (select nextval('{{s}}.events_position_seq') as p from generate_series(1, n)) q;
                insert into {{s}}.events (tx_id, position, stream_id, stream_version, event_id, event_type, data, metadata, recorded_at,
                                          batch_first_version, batch_size)
                select v_tx, u.p, p_stream, v_current + u.i, u.id, u.t, u.d, u.m, v_now, v_current + 1, n
                  from unnest(p_ids, p_types, p_data, p_metadata, v_positions) with ordinality as u(id, t, d, m, p, i);
            end if;

            status := 0;
            stream_version := v_current + n;
            tx := v_tx;
            positions := v_positions;
            return next;
        end
        $fn$;
        """;

    public static async Task MigrateAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock(hashtextextended('chronicle-migrations:' || $1, 0))",
            cancellationToken, schema).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"""
            create schema if not exists {schema};
            create table if not exists {schema}.schema_migrations (
                version     int         primary key,
                description text        not null,
                applied_at  timestamptz not null default now()
            );
            """, cancellationToken).ConfigureAwait(false);

        var applied = new HashSet<int>();
        await using (var command = new NpgsqlCommand($"select version from {schema}.schema_migrations", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                applied.Add(reader.GetInt32(0));
        }

        foreach (var (version, description, sql) in Migrations(schema))
        {
            if (applied.Contains(version))
                continue;
            await ExecuteAsync(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction,
                $"insert into {schema}.schema_migrations (version, description) values ($1, $2)", cancellationToken, version, description)
                .ConfigureAwait(false);
        }

        // After a restore into a new cluster, move the log clock past every stored transaction.
        await ExecuteAsync(connection, transaction, $"""
            update {schema}.log_clock c
               set tx_offset = m.max_tx - pg_current_xact_id()::text::bigint + 1
              from (select max(tx_id) as max_tx from {schema}.events) m
             where m.max_tx is not null and pg_current_xact_id()::text::bigint + c.tx_offset <= m.max_tx
            """, cancellationToken).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var parameter in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
