using Chronicle.EventStore;
using Chronicle.Projections;
using Chronicle.ServiceDefaults;

namespace Chronicle.Identity.Hosting;

/// <summary>
/// Identity's event store and messaging database, beside its EF Core directory: the store is the outbox its audit
/// entries are made durable in (stream <c>audit-outbox</c>) and relayed from; the database holds the inbox and the
/// relay's checkpoint. SQLite files in the data directory, or schemas <see cref="IdentityHostSettings.EventSchema"/>
/// and <see cref="IdentityHostSettings.ReadModelSchema"/> of the Identity database on PostgreSQL.
/// Opened by <see cref="IdentityHost.StartAsync"/> before the host starts; nothing resolves the store before that.
/// </summary>
public sealed class IdentityStorage(IdentityHostSettings settings) : IAsyncDisposable
{
    private ServiceStorage? _storage;

    public IEventStore Events => Opened.Events;

    public ReadModelDatabase Messaging => Opened.ReadModels;

    private ServiceStorage Opened => _storage
        ?? throw new InvalidOperationException("Identity's event store is not open yet: IdentityHost.StartAsync opens it before the host starts.");

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        _storage ??= settings.UsePostgres
            ? await ServiceStorage.OpenPostgresAsync(settings.ConnectionString, IdentityHostSettings.EventSchema,
                IdentityHostSettings.ReadModelSchema, cancellationToken).ConfigureAwait(false)
            : await ServiceStorage.OpenSqliteAsync(settings.DataDirectory, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _storage?.DisposeAsync() ?? ValueTask.CompletedTask;
}
