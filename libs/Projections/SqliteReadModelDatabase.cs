using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Chronicle.Projections;

/// <summary>
/// SQLite admits one writer per file. Writers in this process queue on a per-file slot instead of spinning on
/// SQLITE_BUSY; writers in other processes (or the event store's own writer on the same file) wait in busy_timeout.
/// </summary>
internal sealed class SqliteReadModelDatabase : ReadModelDatabase
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriterSlots = new(StringComparer.Ordinal);

    private const string DurablePragmas = "pragma journal_mode = wal; pragma synchronous = full; pragma busy_timeout = 30000;";
    private const string RebuildablePragmas = "pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 30000;";

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writerSlot;

    public SqliteReadModelDatabase(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { Pooling = true, DefaultTimeout = 30 };
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:")
            throw new ArgumentException("A SQLite read model needs a file: every write opens its own connection.", nameof(connectionString));
        _connectionString = builder.ToString();
        _writerSlot = WriterSlots.GetOrAdd(Path.GetFullPath(builder.DataSource), _ => new SemaphoreSlim(1, 1));
    }

    public override SqlDialect Dialect => SqlDialect.Sqlite;

    private protected override string ListTablesSql => "select name from sqlite_master where type = 'table'";

    // BEGIN IMMEDIATE already holds the file's write lock for the whole transaction.
    private protected override string LockRowSuffix => "";

    public override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default) =>
        await OpenAsync("pragma busy_timeout = 30000; pragma synchronous = full;", cancellationToken).ConfigureAwait(false);

    public override async Task<WriteTransaction> BeginWriteAsync(WriteDurability durability, CancellationToken cancellationToken = default)
    {
        await _writerSlot.WaitAsync(cancellationToken).ConfigureAwait(false);
        SqliteConnection? connection = null;
        try
        {
            // WAL lets readers run beside the writer. FULL syncs the WAL before the commit returns; NORMAL leaves the sync
            // to the next FULL commit or checkpoint, so a power cut can take a suffix of such commits, never part of one.
            connection = await OpenAsync(durability == WriteDurability.Durable ? DurablePragmas : RebuildablePragmas,
                cancellationToken).ConfigureAwait(false);
            var transaction = connection.BeginTransaction(deferred: false);
            return new WriteTransaction(connection, transaction, new SlotRelease(_writerSlot));
        }
        catch
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
            _writerSlot.Release();
            throw;
        }
    }

    public override Task LockSchemaChangesAsync(WriteTransaction write, CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<SqliteConnection> OpenAsync(string pragmas, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class SlotRelease(SemaphoreSlim slot) : IDisposable
    {
        public void Dispose() => slot.Release();
    }
}
