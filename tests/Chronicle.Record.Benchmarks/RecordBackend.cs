using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Projections;
using Chronicle.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chronicle.Record.Benchmarks;

/// <summary>The Record service's two databases: the event store and the FHIR read model.</summary>
internal abstract class RecordBackend(string name, IEventStore store, ReadModelDatabase readModels, IReadOnlyList<string> description)
    : IAsyncDisposable
{
    public string Name => name;

    /// <summary>Version, settings and durability facts printed in the run header.</summary>
    public IReadOnlyList<string> Description => description;

    public IEventStore Store => store;

    public ReadModelDatabase ReadModels => readModels;

    /// <summary>Ends any checkpoint the previous section left to do, so it does not land in the next measurement.</summary>
    public abstract Task SettleAsync();

    /// <summary>Refreshes the planner's statistics after the bulk load, as autovacuum/autoanalyze would in time.</summary>
    public abstract Task AnalyzeAsync();

    public abstract ValueTask DisposeAsync();

    public static async Task<RecordBackend> StartAsync(BenchmarkBackend backend) => backend switch
    {
        BenchmarkBackend.Postgres => await PostgresRecordBackend.StartAsync(),
        BenchmarkBackend.Sqlite => await SqliteRecordBackend.CreateAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(backend)),
    };
}

/// <summary>One fresh database on the test PostgreSQL server: the store in schema "chronicle", the FHIR tables in "public".</summary>
internal sealed class PostgresRecordBackend(PostgresServer server, IEventStore store, NpgsqlDataSource readModelSource,
    ReadModelDatabase readModels, IReadOnlyList<string> description)
    : RecordBackend("PostgreSQL", store, readModels, description)
{
    public static async Task<PostgresRecordBackend> StartAsync()
    {
        var server = await PostgresServer.StartAsync();
        try
        {
            var connectionString = await server.CreateDatabaseAsync("record_bench");
            var store = PostgresEventStore.Create(connectionString, new PostgresEventStoreOptions { Schema = "chronicle" });
            await store.InitializeAsync();
            string[] description =
            [
                .. await server.DescribeAsync(connectionString),
                "Event store: PostgresEventStore (schema chronicle, its own Npgsql pool); FHIR read model: ReadModelDatabase.Postgres over a " +
                "second NpgsqlDataSource on the same database (schema public); pools of up to 100 connections each",
            ];
            var readModelSource = NpgsqlDataSource.Create(connectionString);
            return new PostgresRecordBackend(server, store, readModelSource, ReadModelDatabase.Postgres(readModelSource), description);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public override Task SettleAsync() => ExecuteAsync("checkpoint");

    public override Task AnalyzeAsync() => ExecuteAsync("vacuum (analyze)");

    public override async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await readModelSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await server.DisposeAsync();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = readModelSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Two SQLite files in a temporary folder: events.db for the store, fhir.db for the FHIR tables.</summary>
internal sealed class SqliteRecordBackend(string folder, IEventStore store, ReadModelDatabase readModels, IReadOnlyList<string> description)
    : RecordBackend("SQLite", store, readModels, description)
{
    public static async Task<SqliteRecordBackend> CreateAsync()
    {
        var folder = Directory.CreateTempSubdirectory("chronicle-record-bench-").FullName;
        var store = SqliteEventStore.ForFile(Path.Combine(folder, "events.db"));
        await store.InitializeAsync();
        var readModels = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "fhir.db") }.ToString();
        await using var connection = new SqliteConnection(readModels);
        await connection.OpenAsync();
        string[] description =
        [
            $"SQLite {connection.ServerVersion} (Microsoft.Data.Sqlite {typeof(SqliteConnection).Assembly.GetName().Version}), files in {folder} ({FileSystems.Describe(folder)})",
            "Event store: SqliteEventStore on events.db; FHIR read model: ReadModelDatabase.Sqlite on fhir.db; both WAL, synchronous=FULL",
        ];
        return new SqliteRecordBackend(folder, store, ReadModelDatabase.Sqlite(readModels), description);
    }

    public override Task SettleAsync() => Task.CompletedTask;

    public override async Task AnalyzeAsync()
    {
        await using var connection = await ReadModels.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "analyze";
        await command.ExecuteNonQueryAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}
