using System.Diagnostics;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Schema;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Identity.Tests;

/// <summary>Identity's schema is versioned: new databases, databases from before migrations, and ones from a newer version (SQLite).</summary>
public sealed class SchemaMigrationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "chronicle-identity-tests", Guid.NewGuid().ToString("N"));

    public SchemaMigrationTests() => System.IO.Directory.CreateDirectory(_directory);

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "identity.db")};Pooling=False";

    [Fact]
    public void GivenTheModel_WhenComparedWithTheLatestMigrationOfEachProvider_ThenNoChangeIsMissingAMigration()
    {
        using var sqlite = new SqliteIdentityDbContextFactory().CreateDbContext([]);
        using var postgres = new PostgresIdentityDbContextFactory().CreateDbContext([]);

        Assert.False(sqlite.Database.HasPendingModelChanges(), "Add a migration for SQLite: see services/Identity/Schema/README.md");
        Assert.False(postgres.Database.HasPendingModelChanges(), "Add a migration for PostgreSQL: see services/Identity/Schema/README.md");
        Assert.Equal(
            sqlite.Database.GetMigrations().Select(m => m[15..]),
            postgres.Database.GetMigrations().Select(m => m[15..]));
    }

    [Fact]
    public async Task GivenANewDatabase_WhenIdentityStartsTwice_ThenEveryMigrationIsAppliedOnceAndTheDataIsKept()
    {
        await using (var first = await IdentityInstance.StartAsync(dataDirectory: _directory))
            Assert.Equal(200, (int)(await new OAuthTestClient(first.Http).ClientCredentialsAsync(
                Hosting.DemoDirectory.ModuleClientId, Hosting.DemoDirectory.ModuleSecret)).Status);

        await using var second = await IdentityInstance.StartAsync(dataDirectory: _directory);
        await using var scope = second.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();

        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(2, await db.Practices.CountAsync());
        Assert.DoesNotContain(second.Logs.Entries, e => e.Contains("created before schema migrations", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenADatabaseMadeBeforeMigrations_WhenIdentityStarts_ThenItIsUpgradedInPlaceAndEverythingInItStillWorks()
    {
        Dictionary<string, long> rows;
        List<string> keys;
        await using (var connection = new SqliteConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await LegacyDatabase.LoadAsync(connection, "sqlite");
            (rows, keys) = await LegacyDatabase.ReadAsync(connection);
        }

        await using var identity = await IdentityInstance.StartAsync(dataDirectory: _directory);

        await LegacyDatabase.AssertUpgradedAndWorkingAsync(identity, () => new SqliteConnection(ConnectionString), rows, keys);
    }

    [Fact]
    public async Task GivenADatabaseANewerVersionMigrated_WhenIdentityStarts_ThenItRefusesWithOneLineSayingSo()
    {
        await using (await IdentityInstance.StartAsync(dataDirectory: _directory))
        {
        }

        await using (var connection = new SqliteConnection(ConnectionString))
            await LegacyDatabase.RecordMigrationOfANewerVersionAsync(connection);

        await LegacyDatabase.AssertRefusedAsNewerAsync(() => IdentityInstance.StartAsync(dataDirectory: _directory));
    }

    [Fact]
    public async Task GivenADatabaseANewerVersionMigrated_WhenTheServiceProcessStarts_ThenItExitsWithOneLineOnStandardError()
    {
        await using (await IdentityInstance.StartAsync(dataDirectory: _directory))
        {
        }

        await using (var connection = new SqliteConnection(ConnectionString))
            await LegacyDatabase.RecordMigrationOfANewerVersionAsync(connection);

        // The service as deployed: the built Chronicle.Identity.dll beside the tests, its settings from the environment.
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Chronicle.Identity.dll") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        start.Environment["Chronicle__AppId"] = Hosting.IdentityHost.AppId;
        start.Environment["Chronicle__DataDirectory"] = _directory;
        start.Environment["Chronicle__Ports__Http"] = "0";
        start.Environment["Chronicle__Ports__Grpc"] = "0";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(patience.Token);

        var lines = (await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(1, process.ExitCode);
        Assert.Single(lines);
        Assert.StartsWith("Chronicle Identity cannot start: Identity's database has schema migration 29991231000000_FromANewerVersion", lines[0],
            StringComparison.Ordinal);
        Assert.DoesNotContain(Hosting.IdentityHost.ListeningBanner, await output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (System.IO.Directory.Exists(_directory))
            System.IO.Directory.Delete(_directory, recursive: true);
    }
}
