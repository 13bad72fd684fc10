using System.Data.Common;
using Chronicle.Testing;

namespace Chronicle.Projections.Tests;

/// <summary>
/// A read-model write asks for the durability it needs: durable writes are synced before the commit returns, rebuildable
/// ones (a projection's batch and checkpoint) are not, and a connection that served a rebuildable write never carries that
/// setting into a durable one. What the database is told is checked, since a power cut cannot be staged here.
/// </summary>
public abstract class WriteDurabilityTests(StorageBackend storage)
{
    protected Task<TestStorage> CreateBackendAsync(string? sessionSettings = null) =>
        TestStorage.CreateAsync(storage, new() { Name = "projections", PostgresSessionSettings = sessionSettings });

    /// <summary>What the open transaction's commit will wait for, in the backend's own words.</summary>
    protected abstract string SyncSettingSql { get; }

    protected abstract string DurableSetting { get; }

    protected abstract string RebuildableSetting { get; }

    [Fact]
    public async Task GivenWritesOfEachDurability_WhenTheyRun_ThenEachHasTheSyncSettingItAsksFor()
    {
        await using var backend = await CreateBackendAsync();
        var database = backend.ReadModels;

        foreach (var (durability, expected) in new[]
                 {
                     (WriteDurability.Durable, DurableSetting), (WriteDurability.Rebuildable, RebuildableSetting),
                     (WriteDurability.Durable, DurableSetting), (WriteDurability.Rebuildable, RebuildableSetting),
                 })
        {
            await using var write = await database.BeginWriteAsync(durability);
            Assert.Equal(expected, await ScalarAsync(write.Connection, write.Transaction, SyncSettingSql));
        }

        await using (var write = await database.BeginWriteAsync())
            Assert.Equal(DurableSetting, await ScalarAsync(write.Connection, write.Transaction, SyncSettingSql));
        await using (var connection = await database.OpenConnectionAsync())
            Assert.Equal(DurableSetting, await ScalarAsync(connection, null, SyncSettingSql));
    }

    [Fact]
    public async Task GivenARebuildableCommit_WhenRead_ThenItIsVisibleLikeADurableOne()
    {
        await using var backend = await CreateBackendAsync();
        var database = backend.ReadModels;
        await using (var write = await database.BeginWriteAsync())
        {
            await ScalarAsync(write.Connection, write.Transaction, "create table durability_probe (id integer primary key, kind text not null)");
            await write.CommitAsync();
        }

        await using (var write = await database.BeginWriteAsync(WriteDurability.Rebuildable))
        {
            await ScalarAsync(write.Connection, write.Transaction, "insert into durability_probe (id, kind) values (1, 'rebuildable')");
            await write.CommitAsync();
        }

        await using (var write = await database.BeginWriteAsync(WriteDurability.Rebuildable))
        {
            await ScalarAsync(write.Connection, write.Transaction, "insert into durability_probe (id, kind) values (2, 'rolled back')");
        }

        await using var connection = await database.OpenConnectionAsync();
        Assert.Equal("rebuildable", await ScalarAsync(connection, null, "select min(kind) from durability_probe"));
        Assert.Equal("1", await ScalarAsync(connection, null, "select count(*) from durability_probe"));
    }

    private static async Task<string?> ScalarAsync(DbConnection connection, DbTransaction? transaction, string sql)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}

[Collection(SharedPostgres.Collection)]
public sealed class PostgresWriteDurabilityTests() : WriteDurabilityTests(StorageBackend.Postgres)
{
    protected override string SyncSettingSql => "show synchronous_commit";
    protected override string DurableSetting => "on";
    protected override string RebuildableSetting => "off";

    [Fact]
    public async Task GivenAServerCommittingAsynchronouslyByDefault_WhenADurableWriteRuns_ThenItIsSynchronous()
    {
        await using var backend = await CreateBackendAsync("-c synchronous_commit=off");
        await using (var write = await backend.ReadModels.BeginWriteAsync(WriteDurability.Durable))
        await using (var command = write.CreateCommand(SyncSettingSql))
            Assert.Equal(DurableSetting, (await command.ExecuteScalarAsync())?.ToString());
        await using (var write = await backend.ReadModels.BeginWriteAsync(WriteDurability.Rebuildable))
        await using (var command = write.CreateCommand(SyncSettingSql))
            Assert.Equal(RebuildableSetting, (await command.ExecuteScalarAsync())?.ToString());
    }
}

public sealed class SqliteWriteDurabilityTests() : WriteDurabilityTests(StorageBackend.Sqlite)
{
    // 2 is FULL, 1 is NORMAL.
    protected override string SyncSettingSql => "pragma synchronous";
    protected override string DurableSetting => "2";
    protected override string RebuildableSetting => "1";
}
