using Chronicle.EventStore;
using Chronicle.Projections;
using Chronicle.ServiceDefaults;

namespace Chronicle.Record.Host;

/// <summary>
/// The Record's event store and the database its read models live in (<see cref="ServiceStorage"/>): two files in the
/// data directory on SQLite; on PostgreSQL the configured database, the events in schema <see cref="EventSchema"/> and
/// the read models in <see cref="ReadModelSchema"/>.
/// </summary>
public sealed class RecordStorage : IAsyncDisposable
{
    public const string EventSchema = "chronicle";
    public const string ReadModelSchema = "record_read";
    public const string EventsFile = ServiceStorage.EventsFile;
    public const string ReadModelsFile = ServiceStorage.ReadModelsFile;

    private readonly ServiceStorage _storage;

    private RecordStorage(ServiceStorage storage) => _storage = storage;

    public IEventStore Events => _storage.Events;

    public ReadModelDatabase ReadModels => _storage.ReadModels;

    /// <summary>Where the data is, for the start-up banner.</summary>
    public string Description => _storage.Description;

    public static async Task<RecordStorage> OpenAsync(RecordHostSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new RecordStorage(settings.Storage == RecordStorageKind.Postgres
            ? await ServiceStorage.OpenPostgresAsync(settings.PostgresConnectionString!, EventSchema, ReadModelSchema, cancellationToken).ConfigureAwait(false)
            : await ServiceStorage.OpenSqliteAsync(settings.DataDirectory, cancellationToken).ConfigureAwait(false));
    }

    public ValueTask DisposeAsync() => _storage.DisposeAsync();
}
