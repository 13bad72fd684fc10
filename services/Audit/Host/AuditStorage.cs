using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Projections;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chronicle.Audit.Host;

/// <summary>
/// The Audit service's own event store (the chain and its checkpoints) and the database of its query tables and inbox,
/// opened and initialised. SQLite: two files in the data directory (<c>events.db</c> is what <c>verify --sqlite</c> reads
/// by default). PostgreSQL: one database, the chain in schema <see cref="EventSchema"/>, the query tables in
/// <see cref="ReadModelSchema"/>.
/// </summary>
public sealed class AuditStorage : IAsyncDisposable
{
    public const string EventSchema = "audit";
    public const string ReadModelSchema = "audit_read";
    public const string EventsFile = "events.db";
    public const string ReadModelsFile = "read-models.db";

    private readonly Func<ValueTask> _disposeReadModels;

    private AuditStorage(IEventStore events, ReadModelDatabase readModels, string description, Func<ValueTask> disposeReadModels)
    {
        Events = events;
        ReadModels = readModels;
        Description = description;
        _disposeReadModels = disposeReadModels;
    }

    public IEventStore Events { get; }

    public ReadModelDatabase ReadModels { get; }

    public string Description { get; }

    public static async Task<AuditStorage> OpenAsync(AuditHostSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Directory.CreateDirectory(settings.DataDirectory);
        if (settings.Storage == AuditStorageKind.Postgres)
            return await OpenPostgresAsync(settings.PostgresConnectionString!, cancellationToken).ConfigureAwait(false);

        var events = SqliteEventStore.ForFile(Path.Combine(settings.DataDirectory, EventsFile));
        await InitializeOrDisposeAsync(events, cancellationToken).ConfigureAwait(false);
        var readModels = ReadModelDatabase.Sqlite(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(settings.DataDirectory, ReadModelsFile),
        }.ToString());
        return new AuditStorage(events, readModels, $"SQLite files in {settings.DataDirectory}", () => ValueTask.CompletedTask);
    }

    private static async Task<AuditStorage> OpenPostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        var events = PostgresEventStore.Create(connectionString, new PostgresEventStoreOptions { Schema = EventSchema });
        await InitializeOrDisposeAsync(events, cancellationToken).ConfigureAwait(false);
        try
        {
            await using (var command = events.DataSource.CreateCommand($"create schema if not exists {ReadModelSchema}"))
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateSchema)
        {
            // Created by another process at the same moment.
        }
        catch
        {
            await events.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // Query tables are created unqualified, so the search path puts them in their own schema.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = ReadModelSchema };
        var readModelSource = NpgsqlDataSource.Create(builder);
        return new AuditStorage(events, ReadModelDatabase.Postgres(readModelSource), $"PostgreSQL database {builder.Database} on {builder.Host}",
            readModelSource.DisposeAsync);
    }

    private static async Task InitializeOrDisposeAsync(IEventStore events, CancellationToken cancellationToken)
    {
        try
        {
            await events.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await events.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Events.DisposeAsync().ConfigureAwait(false);
        await _disposeReadModels().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
    }
}
