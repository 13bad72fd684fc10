using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;
using Chronicle.Projections;
using Chronicle.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Chronicle.Record.Benchmarks;

/// <summary>The Record service's two databases: the event store and the FHIR read model.</summary>
internal abstract class RecordBackend : IAsyncDisposable
{
    public abstract string Name { get; }

    /// <summary>Version, settings and durability facts printed in the run header.</summary>
    public abstract IReadOnlyList<string> Description { get; }

    public abstract IEventStore Store { get; }

    public abstract ReadModelDatabase ReadModels { get; }

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
internal sealed class PostgresRecordBackend : RecordBackend
{
    private readonly PostgresServer _server;
    private readonly NpgsqlDataSource _readModelSource;
    private readonly PostgresEventStore _store;

    private PostgresRecordBackend(PostgresServer server, PostgresEventStore store, NpgsqlDataSource readModelSource, IReadOnlyList<string> description)
    {
        _server = server;
        _store = store;
        _readModelSource = readModelSource;
        ReadModels = ReadModelDatabase.Postgres(readModelSource);
        Description = description;
    }

    public override string Name => "PostgreSQL";

    public override IReadOnlyList<string> Description { get; }

    public override IEventStore Store => _store;

    public override ReadModelDatabase ReadModels { get; }

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
            return new PostgresRecordBackend(server, store, NpgsqlDataSource.Create(connectionString), description);
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
        await _store.DisposeAsync();
        await _readModelSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await _server.DisposeAsync();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _readModelSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Two SQLite files in a temporary folder: events.db for the store, fhir.db for the FHIR tables.</summary>
internal sealed class SqliteRecordBackend : RecordBackend
{
    private readonly string _folder;
    private readonly SqliteEventStore _store;
    private readonly string _readModelConnectionString;

    private SqliteRecordBackend(string folder, SqliteEventStore store, string readModelConnectionString, IReadOnlyList<string> description)
    {
        _folder = folder;
        _store = store;
        _readModelConnectionString = readModelConnectionString;
        ReadModels = ReadModelDatabase.Sqlite(readModelConnectionString);
        Description = description;
    }

    public override string Name => "SQLite";

    public override IReadOnlyList<string> Description { get; }

    public override IEventStore Store => _store;

    public override ReadModelDatabase ReadModels { get; }

    public static async Task<SqliteRecordBackend> CreateAsync()
    {
        var folder = Directory.CreateTempSubdirectory("chronicle-record-bench-").FullName;
        var store = SqliteEventStore.ForFile(Path.Combine(folder, "events.db"));
        await store.InitializeAsync();
        var readModels = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "fhir.db") }.ToString();
        await using var connection = new SqliteConnection(readModels);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "select sqlite_version()";
        var version = (string)(await command.ExecuteScalarAsync())!;
        string[] description =
        [
            $"SQLite {version} (Microsoft.Data.Sqlite {typeof(SqliteConnection).Assembly.GetName().Version}), files in {folder} ({FileSystems.Describe(folder)})",
            "Event store: SqliteEventStore on events.db; FHIR read model: ReadModelDatabase.Sqlite on fhir.db; both WAL, synchronous=FULL",
        ];
        return new SqliteRecordBackend(folder, store, readModels, description);
    }

    public override Task SettleAsync() => Task.CompletedTask;

    public override async Task AnalyzeAsync()
    {
        await using var connection = new SqliteConnection(_readModelConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "analyze";
        await command.ExecuteNonQueryAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
