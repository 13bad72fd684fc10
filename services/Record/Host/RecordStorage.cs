using Chronicle.ServiceDefaults;

namespace Chronicle.Record.Host;

/// <summary>
/// The Record's event store and the database its read models live in (<see cref="ServiceStorage"/>): two files in the
/// data directory on SQLite; on PostgreSQL the configured database, the events in schema <see cref="EventSchema"/> and
/// the read models in <see cref="ReadModelSchema"/>.
/// </summary>
public static class RecordStorage
{
    public const string EventSchema = "chronicle";
    public const string ReadModelSchema = "record_read";
    public const string EventsFile = ServiceStorage.EventsFile;
    public const string ReadModelsFile = ServiceStorage.ReadModelsFile;

    public static Task<ServiceStorage> OpenAsync(RecordHostSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Storage == RecordStorageKind.Postgres
            ? ServiceStorage.OpenPostgresAsync(settings.PostgresConnectionString!, EventSchema, ReadModelSchema, cancellationToken)
            : ServiceStorage.OpenSqliteAsync(settings.DataDirectory, cancellationToken);
    }
}
