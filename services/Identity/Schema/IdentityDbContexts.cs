using Chronicle.Identity.Directory;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Chronicle.Identity.Schema;

/// <summary>Identity's database on SQLite; its migrations are in Schema/Migrations/Sqlite.</summary>
public sealed class SqliteIdentityDbContext(DbContextOptions<SqliteIdentityDbContext> options) : IdentityDbContext(options);

/// <summary>Identity's database on PostgreSQL; its migrations are in Schema/Migrations/Postgres.</summary>
public sealed class PostgresIdentityDbContext(DbContextOptions<PostgresIdentityDbContext> options) : IdentityDbContext(options);

/// <summary>
/// For <c>dotnet ef migrations add</c> only (see Schema/README.md): the model of each provider, with no database
/// behind it.
/// </summary>
public sealed class SqliteIdentityDbContextFactory : IDesignTimeDbContextFactory<SqliteIdentityDbContext>
{
    public SqliteIdentityDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteIdentityDbContext>();
        IdentityDatabase.Configure(options, usePostgres: false, "Data Source=design-time.db");
        return new SqliteIdentityDbContext(options.Options);
    }
}

/// <inheritdoc cref="SqliteIdentityDbContextFactory"/>
public sealed class PostgresIdentityDbContextFactory : IDesignTimeDbContextFactory<PostgresIdentityDbContext>
{
    public PostgresIdentityDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresIdentityDbContext>();
        IdentityDatabase.Configure(options, usePostgres: true, "Host=design-time");
        return new PostgresIdentityDbContext(options.Options);
    }
}
