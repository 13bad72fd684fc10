using Chronicle.EventStore;
using Chronicle.Projections;
using Chronicle.Record.Host;
using Chronicle.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chronicle.Record.Benchmarks;

/// <summary>
/// The Record service's two databases, the event store and the FHIR read model, opened as the host opens them
/// (<see cref="TestStorage"/> on <see cref="RecordStorage"/>'s schemas).
/// </summary>
internal sealed class RecordBackend(TestStorage storage, IReadOnlyList<string> description) : IAsyncDisposable
{
    public string Name => storage.Backend == StorageBackend.Postgres ? "PostgreSQL" : "SQLite";

    /// <summary>Version, settings and durability facts printed in the run header.</summary>
    public IReadOnlyList<string> Description => description;

    public IEventStore Store => storage.Events;

    public ReadModelDatabase ReadModels => storage.ReadModels;

    public static async Task<RecordBackend> StartAsync(BenchmarkBackend backend)
    {
        var storage = await TestStorage.CreateAsync(backend switch
        {
            BenchmarkBackend.Postgres => StorageBackend.Postgres,
            BenchmarkBackend.Sqlite => StorageBackend.Sqlite,
            _ => throw new ArgumentOutOfRangeException(nameof(backend)),
        }, new() { Name = "record_bench", EventSchema = RecordStorage.EventSchema, ReadModelSchema = RecordStorage.ReadModelSchema });
        try
        {
            return new RecordBackend(storage, storage.Backend == StorageBackend.Postgres
                ? [
                    .. await (await SharedPostgres.ServerAsync()).DescribeAsync(storage.ConnectionString!),
                    $"Event store: PostgresEventStore (schema {RecordStorage.EventSchema}, its own Npgsql pool); FHIR read model: " +
                    $"ReadModelDatabase.Postgres over a second NpgsqlDataSource on the same database (schema {RecordStorage.ReadModelSchema}); " +
                    "pools of up to 100 connections each",
                ]
                : [
                    $"SQLite {await SqliteVersionAsync(storage)} (Microsoft.Data.Sqlite {typeof(SqliteConnection).Assembly.GetName().Version}), " +
                    $"files in {storage.Directory} ({FileSystems.Describe(storage.Directory)})",
                    $"Event store: SqliteEventStore on {RecordStorage.EventsFile}; FHIR read model: ReadModelDatabase.Sqlite on " +
                    $"{RecordStorage.ReadModelsFile}; both WAL, synchronous=FULL",
                ]);
        }
        catch
        {
            await storage.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ends any checkpoint the previous section left to do, so it does not land in the next measurement.</summary>
    public Task SettleAsync() => storage.Backend == StorageBackend.Postgres ? ExecuteAsync("checkpoint") : Task.CompletedTask;

    /// <summary>Refreshes the planner's statistics after the bulk load, as autovacuum/autoanalyze would in time.</summary>
    public Task AnalyzeAsync() => ExecuteAsync(storage.Backend == StorageBackend.Postgres ? "vacuum (analyze)" : "analyze");

    public async ValueTask DisposeAsync()
    {
        await storage.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await ReadModels.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> SqliteVersionAsync(TestStorage storage)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = storage.ReadModelsFile }.ToString());
        await connection.OpenAsync();
        return connection.ServerVersion;
    }
}
