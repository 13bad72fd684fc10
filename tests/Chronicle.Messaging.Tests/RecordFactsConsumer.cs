using System.Collections.Concurrent;
using System.Data.Common;
using Chronicle.Contracts.IntegrationEvents;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Messaging.Receiving;
using Chronicle.Projections;

namespace Chronicle.Messaging.Tests;

/// <summary>
/// A consumer that projects the record's integration events into tables, tolerant of any delivery order (a fact older than
/// the one held is ignored by record version). Every application is also logged in "applied", without a unique key, so a
/// doubly applied event would show.
/// </summary>
public sealed class RecordFactsConsumer(HandlerFaults faults) :
    IIntegrationEventHandler<RecordIntegrationEventsV1.PatientRegistered>,
    IIntegrationEventHandler<RecordIntegrationEventsV1.PatientDemographicsUpdated>,
    IIntegrationEventHandler<RecordIntegrationEventsV1.ClinicalEntryRecorded>,
    IIntegrationEventHandler<RecordIntegrationEventsV1.EntryMarkedEnteredInError>
{
    public static async Task CreateTablesAsync(ReadModelDatabase database)
    {
        await using var write = await database.BeginWriteAsync();
        await database.LockSchemaChangesAsync(write, CancellationToken.None);
        foreach (var sql in new[]
        {
            """
            create table if not exists patients (
                patient_id text primary key, nhs_number text, practice_ods text,
                family_name text not null, given_names text not null, birth_date text not null, record_version bigint not null)
            """,
            "create table if not exists entries (entry_id text primary key, patient_id text not null, kind text, code text, in_error integer not null)",
            "create table if not exists applied (event_id text not null, type text not null)",
        })
        {
            await using var command = write.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
        }

        await write.CommitAsync();
    }

    public Task HandleAsync(RecordIntegrationEventsV1.PatientRegistered e, IncomingEventContext context, CancellationToken cancellationToken) =>
        ApplyAsync(e, new Delivery(context, context.EventId, context.Type), cancellationToken);

    private async Task ApplyAsync(RecordIntegrationEventsV1.PatientRegistered e, Delivery context, CancellationToken cancellationToken)
    {
        faults.ThrowIfFlaky(context.EventId);
        if (e.NhsNumber.Length != 10)
            throw new InvalidIntegrationEventException($"NHS number '{e.NhsNumber}' is not ten digits.");
        await ExecuteAsync(context, """
            insert into patients (patient_id, nhs_number, practice_ods, family_name, given_names, birth_date, record_version)
            values (@id, @nhs, @ods, @family, @given, @birth, @version)
            on conflict (patient_id) do update set
                nhs_number = excluded.nhs_number, practice_ods = excluded.practice_ods,
                family_name = case when excluded.record_version > patients.record_version then excluded.family_name else patients.family_name end,
                given_names = case when excluded.record_version > patients.record_version then excluded.given_names else patients.given_names end,
                birth_date = case when excluded.record_version > patients.record_version then excluded.birth_date else patients.birth_date end,
                record_version = case when excluded.record_version > patients.record_version then excluded.record_version else patients.record_version end
            """, cancellationToken, ("id", e.PatientId.ToString()), ("nhs", e.NhsNumber), ("ods", e.PracticeOds), ("family", e.FamilyName),
            ("given", string.Join(' ', e.GivenNames)), ("birth", e.BirthDate.ToString("O")), ("version", e.RecordVersion));
        await AppliedAsync(context, cancellationToken);
    }

    public Task HandleAsync(RecordIntegrationEventsV1.PatientDemographicsUpdated e, IncomingEventContext context, CancellationToken cancellationToken) =>
        ApplyAsync(e, new Delivery(context, context.EventId, context.Type), cancellationToken);

    private async Task ApplyAsync(RecordIntegrationEventsV1.PatientDemographicsUpdated e, Delivery context, CancellationToken cancellationToken)
    {
        faults.ThrowIfFlaky(context.EventId);
        await ExecuteAsync(context, """
            insert into patients (patient_id, family_name, given_names, birth_date, record_version)
            values (@id, @family, @given, @birth, @version)
            on conflict (patient_id) do update set
                family_name = case when excluded.record_version > patients.record_version then excluded.family_name else patients.family_name end,
                given_names = case when excluded.record_version > patients.record_version then excluded.given_names else patients.given_names end,
                birth_date = case when excluded.record_version > patients.record_version then excluded.birth_date else patients.birth_date end,
                record_version = case when excluded.record_version > patients.record_version then excluded.record_version else patients.record_version end
            """, cancellationToken, ("id", e.PatientId.ToString()), ("family", e.FamilyName), ("given", string.Join(' ', e.GivenNames)),
            ("birth", e.BirthDate.ToString("O")), ("version", e.RecordVersion));
        await AppliedAsync(context, cancellationToken);
    }

    public Task HandleAsync(RecordIntegrationEventsV1.ClinicalEntryRecorded e, IncomingEventContext context, CancellationToken cancellationToken) =>
        ApplyAsync(e, new Delivery(context, context.EventId, context.Type), cancellationToken);

    private async Task ApplyAsync(RecordIntegrationEventsV1.ClinicalEntryRecorded e, Delivery context, CancellationToken cancellationToken)
    {
        faults.ThrowIfFlaky(context.EventId);
        await ExecuteAsync(context, """
            insert into entries (entry_id, patient_id, kind, code, in_error) values (@id, @patient, @kind, @code, 0)
            on conflict (entry_id) do update set kind = excluded.kind, code = excluded.code
            """, cancellationToken, ("id", e.EntryId.ToString()), ("patient", e.PatientId.ToString()), ("kind", e.Kind), ("code", e.Code));
        await AppliedAsync(context, cancellationToken);
    }

    public Task HandleAsync(RecordIntegrationEventsV1.EntryMarkedEnteredInError e, IncomingEventContext context, CancellationToken cancellationToken) =>
        ApplyAsync(e, new Delivery(context, context.EventId, context.Type), cancellationToken);

    private async Task ApplyAsync(RecordIntegrationEventsV1.EntryMarkedEnteredInError e, Delivery context, CancellationToken cancellationToken)
    {
        faults.ThrowIfFlaky(context.EventId);
        await ExecuteAsync(context, """
            insert into entries (entry_id, patient_id, in_error) values (@id, @patient, 1)
            on conflict (entry_id) do update set in_error = 1
            """, cancellationToken, ("id", e.EntryId.ToString()), ("patient", e.PatientId.ToString()));
        await AppliedAsync(context, cancellationToken);
    }

    private static Task AppliedAsync(Delivery context, CancellationToken cancellationToken) =>
        ExecuteAsync(context, "insert into applied (event_id, type) values (@id, @type)", cancellationToken,
            ("id", context.EventId), ("type", context.Type));

    private static async Task ExecuteAsync(Delivery context, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = context.Transaction.CreateCommand(sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Applies a bulk's events one after another in the bulk's transaction; a poison event is refused alone, and one whose
    /// (injected) dependency times out is put off alone.
    /// </summary>
    internal async Task ApplyBatchAsync<TEvent>(IReadOnlyList<BatchedEvent<TEvent>> batch, IncomingBatchContext context,
        Func<TEvent, Delivery, CancellationToken, Task> apply, CancellationToken cancellationToken)
        where TEvent : class
    {
        foreach (var delivered in batch)
        {
            try
            {
                await apply(delivered.Event, new Delivery(context, delivered.EventId, delivered.Type), cancellationToken);
            }
            catch (InvalidIntegrationEventException e)
            {
                delivered.Refuse(e.Message);
            }
            catch (TimeoutException e)
            {
                delivered.RetryLater(e.Message);
            }
        }
    }

    internal Task ApplyAsync(object e, Delivery context, CancellationToken cancellationToken) => e switch
    {
        RecordIntegrationEventsV1.PatientRegistered x => ApplyAsync(x, context, cancellationToken),
        RecordIntegrationEventsV1.PatientDemographicsUpdated x => ApplyAsync(x, context, cancellationToken),
        RecordIntegrationEventsV1.ClinicalEntryRecorded x => ApplyAsync(x, context, cancellationToken),
        RecordIntegrationEventsV1.EntryMarkedEnteredInError x => ApplyAsync(x, context, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    /// <summary>One event's id and type and the transaction it is applied in, whether it came alone or in a bulk.</summary>
    internal sealed record Delivery(IncomingTransactionContext Transaction, string EventId, string Type);
}

/// <summary>The same consumer taking bulks: each bulk's events are applied in one transaction (Dapr bulk subscribe).</summary>
public sealed class RecordFactsBatchConsumer(RecordFactsConsumer consumer) :
    IIntegrationEventBatchHandler<RecordIntegrationEventsV1.PatientRegistered>,
    IIntegrationEventBatchHandler<RecordIntegrationEventsV1.PatientDemographicsUpdated>,
    IIntegrationEventBatchHandler<RecordIntegrationEventsV1.ClinicalEntryRecorded>,
    IIntegrationEventBatchHandler<RecordIntegrationEventsV1.EntryMarkedEnteredInError>
{
    public Task HandleBatchAsync(IReadOnlyList<BatchedEvent<RecordIntegrationEventsV1.PatientRegistered>> batch, IncomingBatchContext context,
        CancellationToken cancellationToken) => consumer.ApplyBatchAsync(batch, context, consumer.ApplyAsync, cancellationToken);

    public Task HandleBatchAsync(IReadOnlyList<BatchedEvent<RecordIntegrationEventsV1.PatientDemographicsUpdated>> batch, IncomingBatchContext context,
        CancellationToken cancellationToken) => consumer.ApplyBatchAsync(batch, context, consumer.ApplyAsync, cancellationToken);

    public Task HandleBatchAsync(IReadOnlyList<BatchedEvent<RecordIntegrationEventsV1.ClinicalEntryRecorded>> batch, IncomingBatchContext context,
        CancellationToken cancellationToken) => consumer.ApplyBatchAsync(batch, context, consumer.ApplyAsync, cancellationToken);

    public Task HandleBatchAsync(IReadOnlyList<BatchedEvent<RecordIntegrationEventsV1.EntryMarkedEnteredInError>> batch, IncomingBatchContext context,
        CancellationToken cancellationToken) => consumer.ApplyBatchAsync(batch, context, consumer.ApplyAsync, cancellationToken);
}

/// <summary>Makes chosen events' handlers fail transiently a number of times, as a flaky dependency would.</summary>
public sealed class HandlerFaults
{
    private readonly ConcurrentDictionary<string, int> _failuresLeft = new(StringComparer.Ordinal);

    /// <summary>For the fault-injected runs: roughly one event in five fails transiently once before it succeeds.</summary>
    public bool FailSomeOnce { get; set; }

    public void FailTimes(string eventId, int times) => _failuresLeft[eventId] = times;

    public void ThrowIfFlaky(string eventId)
    {
        // The last hex digit of a (deterministic) event id picks about one event in five.
        if (FailSomeOnce && eventId[^1] is '0' or '5' or 'a')
            _failuresLeft.TryAdd(eventId, 1);
        while (_failuresLeft.TryGetValue(eventId, out var left) && left > 0)
        {
            if (_failuresLeft.TryUpdate(eventId, left - 1, left))
                throw new TimeoutException($"Injected transient failure handling {eventId}.");
        }
    }
}

/// <summary>What the consumer's tables hold, in a comparable form.</summary>
public sealed record ConsumerState(IReadOnlyList<string> Patients, IReadOnlyList<string> Entries, IReadOnlyList<string> Applied)
{
    public static async Task<ConsumerState> ReadAsync(ReadModelDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync();
        return new ConsumerState(
            await RowsAsync(connection, "select patient_id, nhs_number, practice_ods, family_name, given_names, birth_date, record_version from patients"),
            await RowsAsync(connection, "select entry_id, patient_id, kind, code, in_error from entries"),
            await RowsAsync(connection, "select event_id from applied"));
    }

    public static async Task<long> CountAppliedAsync(ReadModelDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "select count(*) from applied";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<IReadOnlyList<string>> RowsAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}

/// <summary>Records what arrives on the dead-letter topic.</summary>
public sealed class DeadLetterRecorder : IIntegrationEventHandler<DeadLetteredV1>
{
    public static async Task CreateTablesAsync(ReadModelDatabase database)
    {
        await using var write = await database.BeginWriteAsync();
        await using var command = write.CreateCommand(
            "create table if not exists dead_letters (event_id text not null, type text not null, topic text not null, consumer text not null, reason text not null)");
        await command.ExecuteNonQueryAsync();
        await write.CommitAsync();
    }

    public async Task HandleAsync(DeadLetteredV1 e, IncomingEventContext context, CancellationToken cancellationToken)
    {
        await using var command = context.CreateCommand(
            "insert into dead_letters (event_id, type, topic, consumer, reason) values (@id, @type, @topic, @consumer, @reason)",
            ("id", e.EventId), ("type", e.Type), ("topic", e.Topic), ("consumer", e.Consumer), ("reason", e.Reason));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<IReadOnlyList<(string EventId, string Type, string Topic, string Consumer, string Reason)>> ReadAsync(ReadModelDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "select event_id, type, topic, consumer, reason from dead_letters";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string, string, string)>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        return rows;
    }
}
