using Chronicle.Identity.Directory;
using Chronicle.Identity.Keys;
using Chronicle.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Chronicle.Identity.Tests;

/// <summary>Identity's versioned schema on PostgreSQL, where replicas share one database.</summary>
[Collection(SharedPostgres.Collection)]
public sealed class PostgresSchemaMigrationTests
{
    [Fact]
    public async Task GivenADatabaseMadeBeforeMigrations_WhenIdentityStarts_ThenItIsUpgradedInPlaceAndEverythingInItStillWorks()
    {
        var database = await SharedPostgres.CreateDatabaseAsync("identity");
        var direct = new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString;
        Dictionary<string, long> rows;
        List<string> keys;
        await using (var connection = new NpgsqlConnection(direct))
        {
            await connection.OpenAsync();
            await LegacyDatabase.LoadAsync(connection, "postgres");
        }

        await using (var connection = new NpgsqlConnection(direct))
        {
            await connection.OpenAsync();
            (rows, keys) = await LegacyDatabase.ReadAsync(connection);
        }

        await using var identity = await IdentityInstance.StartAsync(postgresConnectionString: database);

        await LegacyDatabase.AssertUpgradedAndWorkingAsync(identity, () => new NpgsqlConnection(direct), rows, keys);
    }

    [Fact]
    public async Task GivenANewDatabase_WhenTwoInstancesStartAtOnce_ThenTheSchemaDemoAndKeysAreMadeOnce()
    {
        var database = await SharedPostgres.CreateDatabaseAsync("identity");

        var instances = await Task.WhenAll(
            IdentityInstance.StartAsync(postgresConnectionString: database), IdentityInstance.StartAsync(postgresConnectionString: database));
        await using var first = instances[0];
        await using var second = instances[1];

        await using var scope = first.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(2, await db.Practices.CountAsync());
        Assert.Equal(1, await db.SigningKeys.CountAsync(k => k.Use == SigningKey.Signing && k.ActivatedAt != null && k.RetiredAt == null));
        Assert.Equal(1, await db.SigningKeys.CountAsync(k => k.Use == SigningKey.Encryption));
        Assert.Equal(first.Services.GetRequiredService<SigningKeyRing>().ActiveKeyId, second.Services.GetRequiredService<SigningKeyRing>().ActiveKeyId);
    }

    [Fact]
    public async Task GivenADatabaseANewerVersionMigrated_WhenIdentityStarts_ThenItRefusesWithOneLineSayingSo()
    {
        var database = await SharedPostgres.CreateDatabaseAsync("identity");
        await using (await IdentityInstance.StartAsync(postgresConnectionString: database))
        {
        }

        await using (var connection = new NpgsqlConnection(database))
            await LegacyDatabase.RecordMigrationOfANewerVersionAsync(connection);

        await LegacyDatabase.AssertRefusedAsNewerAsync(() => IdentityInstance.StartAsync(postgresConnectionString: database));
    }
}
