namespace Chronicle.Testing;

/// <summary>
/// The one PostgreSQL server of a test process (<see cref="PostgresServer.StartAsync"/>), started when a test first asks
/// for a database and stopped when the process exits. Tests stay independent by each taking a fresh database of its own.
/// </summary>
public static class SharedPostgres
{
    /// <summary>
    /// The test collection of the tests on the shared server, run one at a time. Transaction ids are the server's, not a
    /// database's: a transaction open in one test's database holds back another's reads of its global log (the event
    /// store reads only below pg_snapshot_xmin), so tests that read the log right after appending run apart.
    /// </summary>
    public const string Collection = "postgres";

    private static readonly Lazy<Task<PostgresServer>> Server = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<PostgresServer> ServerAsync() => Server.Value;

    /// <summary>A fresh, uniquely named empty database on the shared server (see <see cref="PostgresServer.CreateDatabaseAsync"/>).</summary>
    public static async Task<string> CreateDatabaseAsync(string namePrefix, CancellationToken cancellationToken = default) =>
        await (await ServerAsync().ConfigureAwait(false)).CreateDatabaseAsync(namePrefix, cancellationToken).ConfigureAwait(false);

    private static async Task<PostgresServer> StartAsync()
    {
        var server = await PostgresServer.StartAsync().ConfigureAwait(false);
        // xunit v2 has no assembly-level fixture; ProcessExit handlers cannot be awaited.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server;
    }
}
