using System.Data.Common;
using System.Net;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Chronicle.Identity.Tests;

/// <summary>
/// An Identity database as the release before schema migrations left it (LegacyDatabases/*.sql: made by that release's
/// EnsureCreated with --demo, then a client-credentials token and a sign-in with refresh), and what must hold once a
/// newer Identity has started on it.
/// </summary>
public static class LegacyDatabase
{
    private static readonly string[] Tables =
    [
        "practices", "accounts", "supplier_modules", "module_enablements", "registrations", "processed_events",
        "OpenIddictApplications", "OpenIddictAuthorizations", "OpenIddictTokens",
    ];

    public static async Task LoadAsync(DbConnection connection, string provider)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var sql = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "LegacyDatabases", $"identity-before-migrations.{provider}.sql"));
        await ExecuteAsync(connection, sql);
    }

    public static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Rows in each table of the directory and OpenIddict, and the signing keys' ids.</summary>
    public static async Task<(Dictionary<string, long> Rows, List<string> SigningKeyIds)> ReadAsync(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var rows = new Dictionary<string, long>();
        foreach (var table in Tables)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"select count(*) from \"{table}\"";
            rows[table] = Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }

        var kids = new List<string>();
        await using var keys = connection.CreateCommand();
        keys.CommandText = "select \"KeyId\" from signing_keys where \"Use\" = 'sig'";
        await using var reader = await keys.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            kids.Add(reader.GetString(0));
        return (rows, kids);
    }

    /// <summary>Records in the database a migration this version does not know, as a newer version would have applied.</summary>
    public static async Task RecordMigrationOfANewerVersionAsync(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await connection.OpenAsync();
        await ExecuteAsync(connection,
            $"insert into \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") values ('{MigrationOfANewerVersion}', '99.0.0')");
    }

    public static async Task AssertRefusedAsNewerAsync(Func<Task<IdentityInstance>> start)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(start);

        Assert.Contains(MigrationOfANewerVersion, refused.Message, StringComparison.Ordinal);
        Assert.Contains("newer version", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    private const string MigrationOfANewerVersion = "29991231000000_FromANewerVersion";

    /// <summary>Everything that was there is there, at the latest schema, and works: modules, sign-in, refresh and the old keys.</summary>
    public static async Task AssertUpgradedAndWorkingAsync(
        IdentityInstance identity, Func<DbConnection> connect, Dictionary<string, long> rowsBefore, List<string> keysBefore)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(connect);
        await using (var connection = connect())
        {
            await connection.OpenAsync();
            var (rowsAfter, _) = await ReadAsync(connection);
            Assert.Equal(rowsBefore, rowsAfter);
            // The old release stored private keys in clear; they are encrypted now, under the same ids.
            var keys = await StoredKeys.ReadAsync(connection);
            Assert.Superset(keysBefore.ToHashSet(), keys.Where(k => k.Use == "sig").Select(k => k.KeyId).ToHashSet());
            Assert.All(keys, StoredKeys.AssertNotInClear);
        }

        await using (var scope = identity.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        }

        Assert.Contains(identity.Logs.Entries, e => e.Contains("created before schema migrations", StringComparison.Ordinal));
        var oauth = new OAuthTestClient(identity.Http);
        var module = await oauth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret, "system/Patient.rs");
        Assert.Equal(HttpStatusCode.OK, module.Status);
        // Signed with a key the old release made: every service still trusts what it signs.
        Assert.Contains(new JsonWebToken(module.AccessToken).Kid, keysBefore);
        var gp = await oauth.AuthorizationCodeAsync(DemoDirectory.StaffUserName(StaffRoles.Gp, DemoDirectory.PracticeA), DemoDirectory.Password,
            "openid offline_access user/Patient.rs");
        Assert.Equal(HttpStatusCode.OK, gp.Status);
        Assert.Equal(DemoDirectory.PracticeA, new JsonWebToken(gp.AccessToken).GetClaim("org").Value);
        Assert.Equal(HttpStatusCode.OK, (await oauth.RefreshAsync(DemoDirectory.PartnerUiClientId, gp.RefreshToken!)).Status);
    }
}
