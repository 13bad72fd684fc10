using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Projections;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chronicle.ServiceDefaults;

/// <summary>
/// A service's own event store and the database its read models (and consumer checkpoints, inbox) live in, opened and
/// initialised. On SQLite they are two files in the data directory, <see cref="EventsFile"/> and
/// <see cref="ReadModelsFile"/> (two files, so read-model writes never queue behind appends); on PostgreSQL they share
/// the service's database, the events in one schema and the read models in another.
/// </summary>
public sealed class ServiceStorage : IAsyncDisposable
{
    public const string EventsFile = "events.db";
    public const string ReadModelsFile = "read-models.db";

    private readonly Func<ValueTask> _disposeReadModels;
    private bool _disposed;

    private ServiceStorage(IEventStore events, ReadModelDatabase readModels, string description, Func<ValueTask> disposeReadModels)
    {
        Events = events;
        ReadModels = readModels;
        Description = description;
        _disposeReadModels = disposeReadModels;
    }

    public IEventStore Events { get; }

    public ReadModelDatabase ReadModels { get; }

    /// <summary>Where the data is, for the start-up banner.</summary>
    public string Description { get; }

    public static async Task<ServiceStorage> OpenSqliteAsync(string directory, CancellationToken cancellationToken = default)
    {
        // Both files (and so their -wal and -shm) are 0600 in a 0700 directory: see PrivateDataDirectory.
        var events = SqliteEventStore.ForFile(PrivateDataDirectory.PrepareFile(Path.Combine(directory, EventsFile)));
        await InitializeOrDisposeAsync(events, cancellationToken).ConfigureAwait(false);
        var readModels = ReadModelDatabase.Sqlite(
            new SqliteConnectionStringBuilder { DataSource = PrivateDataDirectory.PrepareFile(Path.Combine(directory, ReadModelsFile)) }.ToString());
        return new ServiceStorage(events, readModels, $"SQLite files in {directory}", () => ValueTask.CompletedTask);
    }

    public static async Task<ServiceStorage> OpenPostgresAsync(string connectionString, string eventSchema, string readModelSchema,
        CancellationToken cancellationToken = default)
    {
        var events = PostgresEventStore.Create(connectionString, new PostgresEventStoreOptions { Schema = eventSchema });
        await InitializeOrDisposeAsync(events, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = events.DataSource.CreateCommand($"create schema if not exists {readModelSchema}");
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateSchema)
        {
            // Another process created it at the same moment ("if not exists" does not cover that race).
        }
        catch
        {
            await events.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // Read-model tables are created unqualified, so the search path puts them in their own schema.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = readModelSchema };
        var readModelSource = NpgsqlDataSource.Create(builder);
        return new ServiceStorage(events, ReadModelDatabase.Postgres(readModelSource), $"PostgreSQL database {builder.Database} on {builder.Host}",
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

    /// <summary>Closes both; a second call does nothing (the host and a started service may both hold the storage).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await Events.DisposeAsync().ConfigureAwait(false);
        await _disposeReadModels().ConfigureAwait(false);
        // Closes pooled SQLite connections, so the files are left checkpointed and unlocked.
        SqliteConnection.ClearAllPools();
    }
}
