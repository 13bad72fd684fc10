using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Chronicle.Testing;

/// <summary>
/// A throwaway cluster made with the machine's initdb and pg_ctl in a fresh temp folder,
/// listening on a free port of 127.0.0.1 with durable writes, and removed again on dispose.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);

    private readonly string _binaries;
    private readonly string _root;
    private readonly bool _asPostgresUser;
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly EventHandler _onProcessExit;
    private Process? _watchdog;
    private int _stopped;

    private LocalCluster(string binaries, string root, bool asPostgresUser, IReadOnlyDictionary<string, string> settings)
    {
        _binaries = binaries;
        _root = root;
        _asPostgresUser = asPostgresUser;
        _settings = settings;
        // ProcessExit handlers cannot be awaited.
        _onProcessExit = (_, _) => StopAsync().GetAwaiter().GetResult();
    }

    public string ConnectionString { get; private set; } = "";

    private string DataDirectory => Path.Combine(_root, "data");

    private string LogFile => Path.Combine(_root, "server.log");

    /// <summary>A folder holding initdb and pg_ctl: the highest /usr/lib/postgresql/N/bin, then PATH.</summary>
    public static string? FindBinaries()
    {
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => decimal.TryParse(Path.GetFileName(d), out var version) ? version : -1)
                .Select(d => Path.Combine(d, "bin"))
            : [];
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return debian.Concat(path).FirstOrDefault(d => Exists(Path.Combine(d, "initdb")) && Exists(Path.Combine(d, "pg_ctl")));

        // File.Exists is true for a dangling symlink, as left behind when the server package is removed.
        static bool Exists(string file) => File.Exists(file) && File.ResolveLinkTarget(file, returnFinalTarget: true) is null or { Exists: true };
    }

    /// <param name="settings">Server settings written after the defaults, so they win (e.g. synchronous_commit = off).</param>
    public static async Task<LocalCluster> StartAsync(string binaries, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        // PostgreSQL refuses to run as root, so root hands the cluster to the 'postgres' OS user; that user
        // must be able to reach the folder, which /tmp allows and a TMPDIR under /root would not.
        var asPostgresUser = Environment.UserName == "root";
        var root = Path.Combine(asPostgresUser ? "/tmp" : Path.GetTempPath(), $"chronicle-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(root, "sockets"));
        var cluster = new LocalCluster(binaries, root, asPostgresUser, settings ?? new Dictionary<string, string>());
        try
        {
            await cluster.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await cluster.StartServerAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_asPostgresUser)
        {
            var chown = await RunAsync("chown", ["-R", "postgres:postgres", _root], asPostgresUser: false, cancellationToken).ConfigureAwait(false);
            if (chown.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"Running as root, the test PostgreSQL cluster must belong to the 'postgres' OS user, but chown failed " +
                    $"(does the user exist? 'apt-get install postgresql' creates it): {chown.Output}");
            }
        }

        // --no-sync: the empty cluster is throwaway; the server itself runs with fsync=on.
        var initdb = await RunAsync(
            Path.Combine(_binaries, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"],
            _asPostgresUser,
            cancellationToken).ConfigureAwait(false);
        if (initdb.ExitCode != 0)
        {
            throw new InvalidOperationException($"initdb failed (exit code {initdb.ExitCode}):\n{initdb.Output}");
        }
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        // The free port we pick may be taken by someone else before the server binds it; pick again then.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            await File.AppendAllTextAsync(Path.Combine(DataDirectory, "postgresql.conf"), $"""

                listen_addresses = '127.0.0.1'
                port = {port}
                unix_socket_directories = '{Path.Combine(_root, "sockets")}'
                fsync = on
                synchronous_commit = on
                full_page_writes = on
                max_connections = 200
                shared_buffers = 256MB
                {string.Join("\n", _settings.Select(setting => $"{setting.Key} = '{setting.Value}'"))}
                """, cancellationToken).ConfigureAwait(false);

            var start = await RunAsync(
                Path.Combine(_binaries, "pg_ctl"),
                ["-D", DataDirectory, "-l", LogFile, "-w", "-t", ((int)StartupTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "start"],
                _asPostgresUser,
                cancellationToken).ConfigureAwait(false);
            if (start.ExitCode != 0)
            {
                var log = ReadLog();
                if (attempt < 3 && log.Contains("already in use", StringComparison.Ordinal))
                {
                    continue;
                }

                throw new InvalidOperationException($"pg_ctl start failed (exit code {start.ExitCode}):\n{start.Output}\nServer log:\n{log}");
            }

            // From here on the server must not outlive this process, however it ends.
            AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
            StartWatchdog();

            ConnectionString = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = "postgres",
                Database = "postgres",
                // A new physical connection forks a backend that reads the catalogue from disk; on a 2-core CI machine
                // running two test assemblies, each with fsync-heavy crash tests, that once took longer than Npgsql's
                // default 15 s. A test server is local, so a long wait is load, never a wrong address.
                Timeout = 120,
            }.ConnectionString;
            await WaitUntilAcceptingConnectionsAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>
    /// Kills every server process at once with SIGKILL, as a crash of the server would end them, but with the operating
    /// system (and what it has been handed to write) intact. Each child of the postmaster leads a process group of its
    /// own, so they are named one by one in a single kill, the postmaster first: once it is gone it can neither fork
    /// nor act on its children's deaths, and a child that notices it gone before its own signal arrives exits at once.
    /// </summary>
    public async Task KillAsync()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First().Trim(), CultureInfo.InvariantCulture);
        var processes = ChildProcesses(postmaster).Prepend(postmaster).ToList();
        // kill fails for a child that has already ended; that one is gone too, which is all that is asked.
        await RunAsync("kill", ["-KILL", .. processes.Select(p => p.ToString(CultureInfo.InvariantCulture))], asPostgresUser: false,
            CancellationToken.None).ConfigureAwait(false);

        // A new postmaster refuses to start while an old process still holds the shared memory, or while the old
        // postmaster's id is still taken (as it is until the dead process has been reaped).
        var deadline = Stopwatch.StartNew();
        while (processes.Any(p => Directory.Exists($"/proc/{p}")))
        {
            if (deadline.Elapsed > StartupTimeout)
            {
                throw new InvalidOperationException($"The killed server's processes {string.Join(' ', processes)} did not go away.");
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        StopWatchdog();
    }

    private static List<int> ChildProcesses(int parent)
    {
        var children = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var id))
            {
                continue;
            }

            try
            {
                // "pid (comm) state ppid ...": the command name may hold spaces and parentheses, so read after the last ')'.
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields.Length > 1 && fields[1] == parent.ToString(CultureInfo.InvariantCulture))
                {
                    children.Add(id);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // It has just ended.
            }
        }

        return children;
    }

    /// <summary>Starts the server again on the same folder and port (after <see cref="KillAsync"/> it runs crash recovery first).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        var start = await RunAsync(
            Path.Combine(_binaries, "pg_ctl"),
            ["-D", DataDirectory, "-l", LogFile, "-w", "-t", ((int)StartupTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture), "start"],
            _asPostgresUser,
            cancellationToken).ConfigureAwait(false);
        if (start.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl start failed (exit code {start.ExitCode}):\n{start.Output}\nServer log:\n{ReadLog()}");
        }

        StartWatchdog();
        await WaitUntilAcceptingConnectionsAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitUntilAcceptingConnectionsAsync(CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Timeout = 5 }.ConnectionString;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && deadline.Elapsed < StartupTimeout)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                throw new InvalidOperationException($"The test PostgreSQL server did not accept connections within {StartupTimeout}: {e.Message}\nServer log:\n{ReadLog()}", e);
            }
        }
    }

    // A process killed outright runs no ProcessExit handler. This detached shell outlives it, sees it gone and
    // shuts the server down (SIGQUIT is PostgreSQL's immediate shutdown); it ends by itself once the folder is gone.
    private void StartWatchdog()
    {
        var postmasterPid = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First().Trim();
        const string script = """
            exec </dev/null >/dev/null 2>&1
            while kill -0 "$1" && [ -d "$3" ]; do sleep 1; done
            [ -d "$3" ] || exit 0
            kill -QUIT "$2"
            while kill -0 "$2"; do sleep 0.2; done
            rm -rf "$3"
            """;
        var startInfo = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "/bin/sh") { UseShellExecute = false };
        if (startInfo.FileName != "/bin/sh")
        {
            startInfo.ArgumentList.Add("/bin/sh");
        }

        foreach (var argument in new[] { "-c", script, "chronicle-pg-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), postmasterPid, _root })
        {
            startInfo.ArgumentList.Add(argument);
        }

        _watchdog = Process.Start(startInfo);
    }

    private async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            await RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", DataDirectory, "stop", "-m", "immediate", "-w"], _asPostgresUser, CancellationToken.None)
                .ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is not worth failing a test run for.
        }

        // The server is gone, so the watchdog has nothing left to do.
        StopWatchdog();
    }

    private void StopWatchdog()
    {
        try
        {
            _watchdog?.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        _watchdog?.Dispose();
        _watchdog = null;
    }

    private string ReadLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no server log was written)";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string fileName, string[] arguments, bool asPostgresUser, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user may not be allowed into the caller's working directory.
            WorkingDirectory = _root,
        };
        var runuser = new[] { "/usr/sbin/runuser", "/sbin/runuser" }.FirstOrDefault(File.Exists);
        if (asPostgresUser && runuser is not null)
        {
            startInfo.FileName = runuser;
            foreach (var argument in new[] { "-u", "postgres", "--", fileName })
            {
                startInfo.ArgumentList.Add(argument);
            }
        }
        else if (asPostgresUser)
        {
            // su hands the words after the user to the -c script as $0, $1, ... (no quoting needed);
            // the "--" keeps it from reading the tool's own options as its own.
            startInfo.FileName = "su";
            foreach (var argument in new[] { "-s", "/bin/sh", "-c", "exec \"$0\" \"$@\"", "--", "postgres", fileName })
            {
                startInfo.ArgumentList.Add(argument);
            }
        }
        else
        {
            startInfo.FileName = fileName;
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {startInfo.FileName}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartupTimeout * 2);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, (await output.ConfigureAwait(false)) + (await error.ConfigureAwait(false)));
    }
}
