using Chronicle.EventStore.Postgres;
using Chronicle.Testing;
using Npgsql;

namespace Chronicle.EventStore.Benchmarks;

/// <summary>
/// One fresh database on the test PostgreSQL server; every case gets its own schema for the store
/// (store_*) and for the baseline table (raw_*).
/// </summary>
internal sealed class PostgresBackend : IBenchmarkBackend
{
    private readonly string _connectionString;
    private readonly SamplePayload _payload;

    private PostgresBackend(string connectionString, SamplePayload payload, IReadOnlyList<string> description)
    {
        _connectionString = connectionString;
        _payload = payload;
        Description = description;
    }

    public string Name => "PostgreSQL";

    public IReadOnlyList<string> Description { get; }

    public static async Task<PostgresBackend> StartAsync(SamplePayload payload)
    {
        // The process's one server, stopped when the benchmark exits.
        var server = await SharedPostgres.ServerAsync();
        var connectionString = await server.CreateDatabaseAsync("chronicle_bench");
        string[] description =
        [
            .. await server.DescribeAsync(connectionString),
            "Store: PostgresEventStore.Create (its own pool, MaxAutoPrepare=32); baseline: NpgsqlDataSource with the same " +
            "connection string and MaxAutoPrepare=32, pooled connection per append, autocommit",
            "Each case uses fresh schemas; a CHECKPOINT runs before each side's warm-up (not between windows, so the usual WAL full-page-write cost is paid after it).",
        ];
        return new PostgresBackend(connectionString, payload, description);
    }

    public async Task<IAppendTarget> CreateStoreAsync(string tag)
    {
        var store = PostgresEventStore.Create(_connectionString, new PostgresEventStoreOptions { Schema = $"store_{tag}" });
        await store.InitializeAsync();
        return new EventStoreTarget(store, _payload, () => ValueTask.CompletedTask);
    }

    public async Task<IAppendTarget> CreateBaselineAsync(string tag) =>
        await PostgresInsertBaseline.CreateAsync(_connectionString, $"raw_{tag}", _payload);

    public async Task SettleAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var checkpoint = new NpgsqlCommand("checkpoint", connection);
        await checkpoint.ExecuteNonQueryAsync();
    }

    public ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
