using Chronicle.Projections;

namespace Chronicle.Messaging.Receiving;

/// <summary>
/// The consumer's record of the events it has taken effect of, keyed by consumer and CloudEvent id. The entry is written
/// first in the effect's transaction: a duplicate finds the entry (or, delivered concurrently on PostgreSQL, waits on the
/// first delivery's uncommitted row) and does nothing.
/// </summary>
internal static class Inbox
{
    public const string Table = "messaging_inbox";

    public static async Task CreateTableAsync(ReadModelDatabase database, CancellationToken cancellationToken)
    {
        await using var write = await database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await database.LockSchemaChangesAsync(write, cancellationToken).ConfigureAwait(false);
        var timestamp = database.Dialect == SqlDialect.Postgres ? "timestamptz" : "text";
        await using var command = write.CreateCommand($"""
            create table if not exists {Table} (
                consumer    text not null,
                event_id    text not null,
                source      text not null,
                type        text not null,
                received_at {timestamp} not null,
                primary key (consumer, event_id)
            )
            """);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await write.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records the event; false when it was already recorded (a redelivery).</summary>
    public static async Task<bool> TryRecordAsync(WriteTransaction write, string consumer, IncomingEvent incoming,
        CancellationToken cancellationToken)
    {
        await using var command = write.CreateCommand($"""
            insert into {Table} (consumer, event_id, source, type, received_at) values (@consumer, @id, @source, @type, @now)
            on conflict (consumer, event_id) do nothing
            """, ("consumer", consumer), ("id", incoming.Id), ("source", incoming.Source), ("type", incoming.Type),
            ("now", DateTimeOffset.UtcNow));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Takes back an entry written earlier in the same transaction, for an event refused as poison after all.</summary>
    public static async Task ForgetAsync(WriteTransaction write, string consumer, string eventId, CancellationToken cancellationToken)
    {
        await using var command = write.CreateCommand($"delete from {Table} where consumer = @consumer and event_id = @id",
            ("consumer", consumer), ("id", eventId));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
