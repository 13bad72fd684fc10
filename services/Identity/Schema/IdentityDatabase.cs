using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Chronicle.Identity.Schema;

/// <summary>
/// Identity's EF Core database: which provider, its versioned schema (EF Core migrations, one set per provider), and
/// the database-wide lock replicas take before they create something only one of them may create.
/// </summary>
public static partial class IdentityDatabase
{
    /// <summary>A table every Identity database has had since the first release, before migrations.</summary>
    private const string TableOfFirstRelease = "practices";

    public static IServiceCollection AddIdentityDatabase(this IServiceCollection services, IdentityHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.UsePostgres)
            services.AddDbContext<IdentityDbContext, PostgresIdentityDbContext>(o => Configure(o, usePostgres: true, settings.ConnectionString));
        else
            services.AddDbContext<IdentityDbContext, SqliteIdentityDbContext>(o => Configure(o, usePostgres: false, settings.ConnectionString));
        return services;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, bool usePostgres, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (usePostgres)
            options.UseNpgsql(connectionString);
        else
            options.UseSqlite(connectionString);
        return options.UseOpenIddict();
    }

    /// <summary>
    /// Brings the schema up to this build's latest migration. A database made before migrations (by EnsureCreated) is
    /// recorded as being at the first migration, whose schema it has, and then migrated like any other. A database that
    /// a newer build has migrated is refused: this build would not know what its tables mean.
    /// </summary>
    public static async Task MigrateAsync(IdentityDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(logger);
        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }

        // EF Core's own migration lock on PostgreSQL does not stop a replica applying a migration another has just
        // applied (it reads what is applied before it waits): replicas take turns for the whole step instead.
        await using var turn = db.Database.IsNpgsql()
            ? await PostgresSessionLock.TakeAsync(db.Database.GetConnectionString()!, "chronicle-identity:migrations", cancellationToken).ConfigureAwait(false)
            : null;
        var known = db.Database.GetMigrations().ToList();
        await BaselineDatabaseFromBeforeMigrationsAsync(db, known[0], logger, cancellationToken).ConfigureAwait(false);
        // Npgsql finds a new database's missing history table by a failing query, which it logs as an error: made first, it is never missing.
        await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), cancellationToken).ConfigureAwait(false);

        var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        var unknown = applied.Except(known, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            // Not a setting to fix but a newer build to run: the host says so as a failure to start (exit 1).
            throw new InvalidOperationException(
                $"Identity's database has schema migration {unknown[^1]} from a newer version of Chronicle Identity; this version knows " +
                $"migrations up to {known[^1]}. Run the newer version, or restore a backup taken before the upgrade.");
        }

        var pending = known.Except(applied, StringComparer.Ordinal).ToList();
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        if (pending.Count > 0)
            LogMigrated(logger, pending.Count, known[^1]);
    }

    /// <summary>
    /// Begins a transaction that holds Identity's database-wide lock named <paramref name="name"/> until it ends:
    /// an advisory lock on PostgreSQL, the write lock (BEGIN IMMEDIATE) on SQLite.
    /// </summary>
    public static async Task<IDbContextTransaction> BeginLockedAsync(IdentityDbContext db, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (db.Database.IsNpgsql())
            {
                var key = "chronicle-identity:" + name;
                await db.Database.ExecuteSqlAsync($"select pg_advisory_xact_lock(hashtextextended({key}, 0))", cancellationToken)
                    .ConfigureAwait(false);
            }

            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task BaselineDatabaseFromBeforeMigrationsAsync(
        IdentityDbContext db, string firstMigration, ILogger logger, CancellationToken cancellationToken)
    {
        // Not IHistoryRepository.ExistsAsync: on PostgreSQL it answered true for a database made before migrations, which has no history table.
        var history = db.GetService<IHistoryRepository>();
        if (await TableExistsAsync(db, HistoryRepository.DefaultTableName, cancellationToken).ConfigureAwait(false))
            return;

        await using var transaction = await BeginLockedAsync(db, "schema", cancellationToken).ConfigureAwait(false);
        if (await TableExistsAsync(db, HistoryRepository.DefaultTableName, cancellationToken).ConfigureAwait(false)
            || !await TableExistsAsync(db, TableOfFirstRelease, cancellationToken).ConfigureAwait(false))
            return;
        await db.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(firstMigration, ProductInfo.GetVersion())), cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        LogBaselined(logger, firstMigration);
    }

    private static async Task<bool> TableExistsAsync(IdentityDbContext db, string table, CancellationToken cancellationToken)
    {
        var count = db.Database.IsNpgsql()
            ? db.Database.SqlQuery<int>($"select count(*)::int as \"Value\" from information_schema.tables where table_schema = current_schema() and table_name = {table}")
            : db.Database.SqlQuery<int>($"select count(*) as \"Value\" from sqlite_master where type = 'table' and name = {table}");
        return await count.SingleAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Identity's database was created before schema migrations; recorded it as being at migration {Migration}")]
    private static partial void LogBaselined(ILogger logger, string migration);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} schema migration(s) to Identity's database; it is at {Migration}")]
    private static partial void LogMigrated(ILogger logger, int count, string migration);
}

/// <summary>A PostgreSQL advisory lock held by a connection of its own until disposed, across the transactions others run meanwhile.</summary>
internal sealed class PostgresSessionLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly string _name;

    private PostgresSessionLock(NpgsqlConnection connection, string name)
    {
        _connection = connection;
        _name = name;
    }

    public static async Task<PostgresSessionLock> TakeAsync(string connectionString, string name, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("select pg_advisory_lock(hashtextextended($1, 0))", connection) { Parameters = { new() { Value = name } } };
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new PostgresSessionLock(connection, name);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("select pg_advisory_unlock(hashtextextended($1, 0))", _connection) { Parameters = { new() { Value = _name } } };
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
        finally
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
