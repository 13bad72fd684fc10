using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Chronicle.Testing;

/// <summary>
/// A PostgreSQL server for tests and benchmarks: the one named by CHRONICLE_TEST_POSTGRES,
/// else a Testcontainers container when a Docker engine answers, else a throwaway cluster
/// started from the machine's own PostgreSQL binaries.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string EnvironmentVariable = "CHRONICLE_TEST_POSTGRES";

    private readonly Func<ValueTask> _stop;
    private readonly LocalCluster? _cluster;
    private readonly List<string> _createdDatabases = [];
    private int _disposed;

    private PostgresServer(string source, string connectionString, Func<ValueTask> stop, LocalCluster? cluster = null)
    {
        Source = source;
        ConnectionString = connectionString;
        _stop = stop;
        _cluster = cluster;
    }

    /// <summary>"environment", "testcontainers" or "local-binaries".</summary>
    public string Source { get; }

    /// <summary>Superuser connection string to the 'postgres' database.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new PostgresServer("environment", fromEnvironment, () => ValueTask.CompletedTask);
        }

        Exception? dockerFailure = null;
        if (await DockerEngineAnswersAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                return await StartContainerAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // An engine that answers may still fail to pull or run the image; local binaries may do.
                dockerFailure = e;
            }
        }

        var binaries = LocalCluster.FindBinaries();
        if (binaries is not null)
        {
            var cluster = await LocalCluster.StartAsync(binaries, cancellationToken).ConfigureAwait(false);
            return new PostgresServer("local-binaries", cluster.ConnectionString, cluster.DisposeAsync);
        }

        var message =
            "No PostgreSQL server is available for tests. Do one of: install the server binaries " +
            "(Debian/Ubuntu: 'apt-get install postgresql'; the tests start their own throwaway cluster " +
            "from /usr/lib/postgresql/*/bin or PATH, no running service needed), " +
            $"set {EnvironmentVariable} to an Npgsql connection string of a superuser, " +
            "or run a Docker engine (the postgres:15-alpine image is used).";
        if (dockerFailure is not null)
        {
            message += $" A Docker engine answered but starting the container failed: {dockerFailure.Message}";
        }

        throw new InvalidOperationException(message, dockerFailure);
    }

    /// <summary>
    /// A throwaway cluster of the machine's own PostgreSQL binaries, whatever CHRONICLE_TEST_POSTGRES or Docker offer, with
    /// <paramref name="settings"/> written into its configuration after the defaults (so they win), and which
    /// <see cref="CrashAsync"/> and <see cref="RestartAsync"/> can kill and start again: for tests of what a server crash
    /// keeps. Throws when the binaries are not installed.
    /// </summary>
    public static async Task<PostgresServer> StartCrashableAsync(IReadOnlyDictionary<string, string> settings,
        CancellationToken cancellationToken = default)
    {
        var binaries = LocalCluster.FindBinaries() ?? throw new InvalidOperationException(
            "This test crashes a PostgreSQL server and needs the server binaries on the machine " +
            "(Debian/Ubuntu: 'apt-get install postgresql'; a throwaway cluster is started from /usr/lib/postgresql/*/bin or PATH).");
        var cluster = await LocalCluster.StartAsync(binaries, cancellationToken, settings).ConfigureAwait(false);
        return new PostgresServer("local-binaries", cluster.ConnectionString, cluster.DisposeAsync, cluster);
    }

    /// <summary>Kills every process of a server from <see cref="StartCrashableAsync"/> at once with SIGKILL.</summary>
    public Task CrashAsync() => Crashable.KillAsync();

    /// <summary>Starts a crashed server from <see cref="StartCrashableAsync"/> again, on the same data and port.</summary>
    public Task RestartAsync(CancellationToken cancellationToken = default) => Crashable.RestartAsync(cancellationToken);

    private LocalCluster Crashable => _cluster ?? throw new InvalidOperationException("Only a server from StartCrashableAsync can be crashed.");

    /// <summary>
    /// Creates a fresh, uniquely named empty database and returns a connection string to it
    /// (pooling on, max pool size 100).
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string namePrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(namePrefix);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

        // Identifiers are cut at 63 bytes: keep 30 of the prefix, then '_' and 32 hex digits.
        var prefix = new string(namePrefix.ToLowerInvariant()
            .Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')
            .Take(30)
            .ToArray());
        var name = $"{(prefix.Length == 0 ? "db" : prefix)}_{Guid.NewGuid():N}";

        await using (var connection = new NpgsqlConnection(AdminConnectionString()))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        lock (_createdDatabases)
        {
            _createdDatabases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Database = name,
            Pooling = true,
            MaxPoolSize = 100,
        }.ConnectionString;
    }

    /// <summary>
    /// Lines for a benchmark report: the server's version, where it came from, and the settings that decide what
    /// a commit costs (durability) and how much fits in memory.
    /// </summary>
    public async Task<IReadOnlyList<string>> DescribeAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("""
            select version(), current_setting('fsync'), current_setting('synchronous_commit'),
                   current_setting('full_page_writes'), current_setting('wal_sync_method'),
                   current_setting('shared_buffers'), current_setting('max_connections')
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return
        [
            $"Server: {reader.GetString(0)}",
            $"Source: {Source} (Chronicle.Testing.PostgresServer)",
            $"Durability: fsync={reader.GetString(1)}, synchronous_commit={reader.GetString(2)}, full_page_writes={reader.GetString(3)}, " +
            $"wal_sync_method={reader.GetString(4)}; shared_buffers={reader.GetString(5)}, max_connections={reader.GetString(6)}",
        ];
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Our own servers vanish with their data; a server we were pointed at keeps it, so clean up there.
        if (Source == "environment")
        {
            await DropCreatedDatabasesAsync().ConfigureAwait(false);
        }

        await _stop().ConfigureAwait(false);
    }

    private string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString;

    private async Task DropCreatedDatabasesAsync()
    {
        string[] names;
        lock (_createdDatabases)
        {
            names = [.. _createdDatabases];
        }

        foreach (var name in names)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString());
                await connection.OpenAsync().ConfigureAwait(false);
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (NpgsqlException)
            {
                // Best effort: a leftover database on a developer's server is no reason to fail a test run.
            }
        }
    }

    private static async Task<PostgresServer> StartContainerAsync(CancellationToken cancellationToken)
    {
        // The module turns durability off by default; we benchmark durable writes, and the last -c wins.
        var container = new PostgreSqlBuilder("postgres:15-alpine")
            .WithCommand("-c", "fsync=on", "-c", "full_page_writes=on", "-c", "synchronous_commit=on")
            .WithCommand("-c", "max_connections=200", "-c", "shared_buffers=256MB")
            .Build();
        try
        {
            await container.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await container.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new PostgresServer("testcontainers", container.GetConnectionString(), container.DisposeAsync);
    }

    // Testcontainers would otherwise spend a long time probing for an engine that is not there
    // (a docker CLI without a daemon is common), so ask the engine's /_ping ourselves with a short timeout.
    private static async Task<bool> DockerEngineAnswersAsync(CancellationToken cancellationToken)
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        EndPoint? endpoint = dockerHost switch
        {
            null or "" => File.Exists("/var/run/docker.sock") ? new UnixDomainSocketEndPoint("/var/run/docker.sock") : null,
            _ when dockerHost.StartsWith("unix://", StringComparison.Ordinal) => new UnixDomainSocketEndPoint(dockerHost["unix://".Length..]),
            _ when dockerHost.StartsWith("tcp://", StringComparison.Ordinal) && Uri.TryCreate(dockerHost, UriKind.Absolute, out var uri) =>
                new DnsEndPoint(uri.Host, uri.Port),
            _ => null,
        };
        if (endpoint is null)
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var socket = endpoint is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            await socket.SendAsync("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"u8.ToArray(), timeout.Token).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer, timeout.Token).ConfigureAwait(false);
            // Any HTTP answer means an engine listens (a TLS-only engine answers 400 to plain HTTP).
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
