using System.Data.Common;
using Chronicle.Messaging.Publishing;
using Chronicle.Projections;
using Microsoft.Data.Sqlite;

namespace Chronicle.Messaging.Direct;

/// <summary>A topic an app subscribes to, as its ListTopicSubscriptions said; <see cref="Bulk"/> when it asked for bulk delivery.</summary>
internal sealed record SubscribedTopic(string PubSubName, string Topic, string DeadLetterTopic, BulkDelivery? Bulk = null);

/// <summary>A subscription's bulk_subscribe: at most this many events per call, waiting at most this long to fill one.</summary>
internal sealed record BulkDelivery(int MaxMessagesCount, TimeSpan MaxAwait);

/// <summary>An accepted event waiting to be delivered to one subscriber app.</summary>
internal sealed record QueuedDelivery(long Sequence, string Subscriber, OutgoingEvent Event, int Attempts);

/// <summary>
/// The direct broker's durable state in a SQLite file: each subscriber's undelivered events, and the subscriptions apps
/// last declared (so a broker restarted while an app is down still knows to keep its events). A publish is accepted only
/// once its rows are committed, so a broker restart loses nothing it acknowledged.
/// </summary>
internal sealed class DeliveryQueue
{
    private readonly ReadModelDatabase _database;

    public DeliveryQueue(string path)
    {
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        _database = ReadModelDatabase.Sqlite(new SqliteConnectionStringBuilder { DataSource = fullPath }.ToString());
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(write, """
            create table if not exists direct_subscribers (
                subscriber    text primary key,
                discovered_at text not null
            );
            create table if not exists direct_subscriptions (
                subscriber        text not null,
                pubsub            text not null,
                topic             text not null,
                dead_letter_topic text not null,
                bulk_max_messages integer not null default 0,
                bulk_max_await_ms integer not null default 0,
                primary key (subscriber, pubsub, topic)
            );
            create table if not exists direct_deliveries (
                sequence     integer primary key autoincrement,
                subscriber   text    not null,
                pubsub       text    not null,
                topic        text    not null,
                event_id     text    not null,
                source       text    not null,
                type         text    not null,
                content_type text    not null,
                data         blob    not null,
                trace_parent text,
                attempts     integer not null,
                due_at       integer not null
            );
            create index if not exists direct_deliveries_due on direct_deliveries (subscriber, due_at, sequence);
            """, cancellationToken).ConfigureAwait(false);
        // Queues made before bulk delivery lack the bulk columns.
        await using (var columns = write.CreateCommand("select count(*) from pragma_table_info('direct_subscriptions') where name = 'bulk_max_messages'"))
        {
            if ((long)(await columns.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
            {
                await ExecuteAsync(write, """
                    alter table direct_subscriptions add column bulk_max_messages integer not null default 0;
                    alter table direct_subscriptions add column bulk_max_await_ms integer not null default 0;
                    """, cancellationToken).ConfigureAwait(false);
            }
        }

        // ...and queues made before tracing lack the trace context column.
        await using (var columns = write.CreateCommand("select count(*) from pragma_table_info('direct_deliveries') where name = 'trace_parent'"))
        {
            if ((long)(await columns.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))! == 0)
                await ExecuteAsync(write, "alter table direct_deliveries add column trace_parent text", cancellationToken).ConfigureAwait(false);
        }

        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<Dictionary<string, IReadOnlyList<SubscribedTopic>>> LoadSubscriptionsAsync(CancellationToken cancellationToken)
    {
        var known = new Dictionary<string, IReadOnlyList<SubscribedTopic>>(StringComparer.Ordinal);
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = write.CreateCommand("select subscriber from direct_subscribers"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                known[reader.GetString(0)] = [];
        }

        await using (var command = write.CreateCommand("select subscriber, pubsub, topic, dead_letter_topic, bulk_max_messages, bulk_max_await_ms from direct_subscriptions"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var subscriber = reader.GetString(0);
                known[subscriber] = [.. known.GetValueOrDefault(subscriber, []),
                    new SubscribedTopic(reader.GetString(1), reader.GetString(2), reader.GetString(3),
                        reader.GetInt32(4) > 0 ? new BulkDelivery(reader.GetInt32(4), TimeSpan.FromMilliseconds(reader.GetInt64(5))) : null)];
            }
        }

        return known;
    }

    public async Task SaveSubscriptionsAsync(string subscriber, IReadOnlyList<SubscribedTopic> topics, CancellationToken cancellationToken)
    {
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(write, "delete from direct_subscriptions where subscriber = @subscriber", cancellationToken,
            ("subscriber", subscriber)).ConfigureAwait(false);
        foreach (var topic in topics.DistinctBy(t => (t.PubSubName, t.Topic)))
        {
            await ExecuteAsync(write, """
                insert into direct_subscriptions (subscriber, pubsub, topic, dead_letter_topic, bulk_max_messages, bulk_max_await_ms)
                values (@subscriber, @pubsub, @topic, @deadLetter, @bulkMax, @bulkAwait)
                """, cancellationToken, ("subscriber", subscriber), ("pubsub", topic.PubSubName), ("topic", topic.Topic),
                ("deadLetter", topic.DeadLetterTopic), ("bulkMax", topic.Bulk?.MaxMessagesCount ?? 0),
                ("bulkAwait", (long)(topic.Bulk?.MaxAwait.TotalMilliseconds ?? 0))).ConfigureAwait(false);
        }

        await ExecuteAsync(write, """
            insert into direct_subscribers (subscriber, discovered_at) values (@subscriber, @now)
            on conflict (subscriber) do update set discovered_at = excluded.discovered_at
            """, cancellationToken, ("subscriber", subscriber), ("now", DateTimeOffset.UtcNow)).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task EnqueueAsync(OutgoingEvent outgoing, IEnumerable<string> subscribers, DateTimeOffset dueAt, CancellationToken cancellationToken) =>
        EnqueueAsync([(outgoing, [.. subscribers])], dueAt, cancellationToken);

    /// <summary>Queues each event for its subscribers, all in one transaction: a bulk publish is accepted whole or not at all.</summary>
    public async Task EnqueueAsync(IReadOnlyList<(OutgoingEvent Event, IReadOnlyList<string> Subscribers)> events, DateTimeOffset dueAt,
        CancellationToken cancellationToken)
    {
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (outgoing, subscribers) in events)
        {
            foreach (var subscriber in subscribers)
            {
                await InsertAsync(write, subscriber, outgoing, dueAt, cancellationToken).ConfigureAwait(false);
            }
        }

        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Up to <paramref name="maxCount"/> of the subscriber's events that are due, oldest first.</summary>
    public async Task<List<QueuedDelivery>> TakeDueAsync(string subscriber, DateTimeOffset now, int maxCount, CancellationToken cancellationToken)
    {
        var due = new List<QueuedDelivery>();
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = write.CreateCommand("""
            select sequence, pubsub, topic, event_id, source, type, content_type, data, attempts, trace_parent from direct_deliveries
            where subscriber = @subscriber and due_at <= @now order by due_at, sequence limit @max
            """, ("subscriber", subscriber), ("now", now.ToUnixTimeMilliseconds()), ("max", maxCount));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var outgoing = new OutgoingEvent(reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), (byte[])reader.GetValue(7))
            {
                TraceParent = reader.IsDBNull(9) ? null : reader.GetString(9),
            };
            due.Add(new QueuedDelivery(reader.GetInt64(0), subscriber, outgoing, reader.GetInt32(8)));
        }

        return due;
    }

    /// <summary>When the subscriber's next event falls due, or null when it has none.</summary>
    public async Task<DateTimeOffset?> NextDueAtAsync(string subscriber, CancellationToken cancellationToken)
    {
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = write.CreateCommand("select min(due_at) from direct_deliveries where subscriber = @subscriber",
            ("subscriber", subscriber));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long dueAt
            ? DateTimeOffset.FromUnixTimeMilliseconds(dueAt)
            : null;
    }

    /// <summary>
    /// Settles deliveries in one transaction: <paramref name="completed"/> leave the queue, <paramref name="retries"/> wait
    /// until their new due time, <paramref name="duplicates"/> are queued again (an injected fault) to arrive later.
    /// </summary>
    public async Task SettleAsync(IReadOnlyCollection<long> completed, IReadOnlyCollection<(long Sequence, int Attempts, DateTimeOffset DueAt)> retries,
        IReadOnlyCollection<(QueuedDelivery Delivery, DateTimeOffset DueAt)> duplicates, CancellationToken cancellationToken)
    {
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (delivery, dueAt) in duplicates)
            await InsertAsync(write, delivery.Subscriber, delivery.Event, dueAt, cancellationToken).ConfigureAwait(false);

        foreach (var sequence in completed)
        {
            await ExecuteAsync(write, "delete from direct_deliveries where sequence = @sequence", cancellationToken, ("sequence", sequence))
                .ConfigureAwait(false);
        }

        foreach (var (sequence, attempts, dueAt) in retries)
        {
            await ExecuteAsync(write, "update direct_deliveries set attempts = @attempts, due_at = @dueAt where sequence = @sequence",
                cancellationToken, ("sequence", sequence), ("attempts", attempts), ("dueAt", dueAt.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        }

        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Events accepted and not yet delivered, to every subscriber.</summary>
    public async Task<long> CountPendingAsync(CancellationToken cancellationToken)
    {
        await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var command = write.CreateCommand("select count(*) from direct_deliveries");
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private static Task InsertAsync(WriteTransaction write, string subscriber, OutgoingEvent outgoing, DateTimeOffset dueAt,
        CancellationToken cancellationToken) => ExecuteAsync(write, """
            insert into direct_deliveries (subscriber, pubsub, topic, event_id, source, type, content_type, data, trace_parent, attempts, due_at)
            values (@subscriber, @pubsub, @topic, @id, @source, @type, @contentType, @data, @traceParent, 0, @dueAt)
            """, cancellationToken, ("subscriber", subscriber), ("pubsub", outgoing.PubSubName), ("topic", outgoing.Topic),
            ("id", outgoing.Id), ("source", outgoing.Source), ("type", outgoing.Type), ("contentType", outgoing.DataContentType),
            ("data", outgoing.Data), ("traceParent", outgoing.TraceParent), ("dueAt", dueAt.ToUnixTimeMilliseconds()));

    private static async Task ExecuteAsync(WriteTransaction write, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using DbCommand command = write.CreateCommand(sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
