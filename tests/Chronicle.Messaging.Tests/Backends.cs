using Chronicle.EventStore;
using Chronicle.Projections;
using Chronicle.Testing;

namespace Chronicle.Messaging.Tests;

/// <summary>
/// Messaging scenarios run one at a time: each starts several apps and brokers, and on PostgreSQL they read their global
/// log (see <see cref="SharedPostgres.Collection"/>).
/// </summary>
[CollectionDefinition(Name)]
public sealed class MessagingCollection
{
    public const string Name = "messaging";
}

/// <summary>
/// The databases of one scenario, each app's its own as in production (<see cref="TestStorage"/>): the publisher's event
/// store with the relay's checkpoint in its read-model database, the consumer's read model and inbox, the dead-letter
/// observer's table (always SQLite). Brokers' queues are SQLite files in the publisher's folder.
/// </summary>
public sealed class ScenarioDatabases : IAsyncDisposable
{
    private readonly TestStorage _publisher;
    private readonly TestStorage _consumer;
    private readonly TestStorage _observer;

    private ScenarioDatabases(TestStorage publisher, TestStorage consumer, TestStorage observer)
    {
        _publisher = publisher;
        _consumer = consumer;
        _observer = observer;
    }

    public string Folder => _publisher.Directory;
    public IEventStore Store => _publisher.Events;
    public ReadModelDatabase PublisherDatabase => _publisher.ReadModels;
    public ReadModelDatabase ConsumerDatabase => _consumer.ReadModels;
    public ReadModelDatabase ObserverDatabase => _observer.ReadModels;

    public string QueuePath(string appId) => Path.Combine(Folder, $"{appId}.direct-broker.db");

    public static async Task<ScenarioDatabases> CreateAsync(StorageBackend backend)
    {
        var databases = new ScenarioDatabases(
            await TestStorage.CreateAsync(backend, new() { Name = "messaging-record" }),
            await TestStorage.CreateAsync(backend, new() { Name = "messaging-consumer" }),
            await TestStorage.CreateAsync(StorageBackend.Sqlite, new() { Name = "messaging-observer" }));
        await RecordFactsConsumer.CreateTablesAsync(databases.ConsumerDatabase);
        await DeadLetterRecorder.CreateTablesAsync(databases.ObserverDatabase);
        return databases;
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await _consumer.DisposeAsync();
        await _observer.DisposeAsync();
    }
}
