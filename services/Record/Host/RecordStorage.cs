using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Projections;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chronicle.Record.Host;

/// <summary>
/// The Record's event store and the database its read models live in, opened and initialised. On SQLite they are two
/// files in the data directory (two files, so the projection's writes never queue behind appends); on PostgreSQL they
/// share the configured database, the events in schema <see cref="EventSchema"/> and the read models in
/// <see cref="ReadModelSchema"/>.
/// </summary>
public sealed class RecordStorage : IAsyncDisposable
{
    public const string EventSchema = "chronicle";
    public const string ReadModelSchema = "record_read";
    public const string EventsFile = "events.db";
    public const string ReadModelsFile = "read-models.db";

    private readonly Func<ValueTask> _disposeReadModels;

    private RecordStorage(IEventStore events, ReadModelDatabase readModels, string description, Func<ValueTask> disposeReadModels)
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

    public static Task<RecordStorage> OpenAsync(RecordHostSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Storage == RecordStorageKind.Postgres
            ? OpenPostgresAsync(settings.PostgresConnectionString!, cancellationToken)
            : OpenSqliteAsync(settings.DataDirectory, cancellationToken);
    }

    private static async Task<RecordStorage> OpenSqliteAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var events = SqliteEventStore.ForFile(Path.Combine(directory, EventsFile));
        try
        {
            await events.InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await events.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var readModels = ReadModelDatabase.Sqlite(new SqliteConnectionStringBuilder { DataSource = Path.Combine(directory, ReadModelsFile) }.ToString());
        return new RecordStorage(events, readModels, $"SQLite files in {directory}", () => ValueTask.CompletedTask);
    }

    private static async Task<RecordStorage> OpenPostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        var events = PostgresEventStore.Create(connectionString, new PostgresEventStoreOptions { Schema = EventSchema });
        NpgsqlDataSource? readModelSource = null;
        try
        {
            await events.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await CreateReadModelSchemaAsync(events.DataSource, cancellationToken).ConfigureAwait(false);
            // Read-model tables are created unqualified, so the search path puts them in their own schema.
            readModelSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = ReadModelSchema });
        }
        catch
        {
            await events.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return new RecordStorage(events, ReadModelDatabase.Postgres(readModelSource), $"PostgreSQL database {builder.Database} on {builder.Host}",
            readModelSource.DisposeAsync);
    }

    private static async Task CreateReadModelSchemaAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand($"create schema if not exists {ReadModelSchema}");
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateSchema)
        {
            // Another process created it at the same moment ("if not exists" does not cover that race).
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Events.DisposeAsync().ConfigureAwait(false);
        await _disposeReadModels().ConfigureAwait(false);
        // Closes pooled SQLite connections, so the files are left checkpointed and unlocked.
        SqliteConnection.ClearAllPools();
    }
}
