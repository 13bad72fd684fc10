using System.Security.Cryptography;
using Chronicle.Audit.Chain;
using Chronicle.EventStore.Sqlite;
using Microsoft.Data.Sqlite;

namespace Chronicle.Audit.Tests;

/// <summary>The verifier from the command line: exit code 0 when intact, 1 at a break (named), 2 on bad usage.</summary>
public sealed class VerifyCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chronicle-audit-cli-").FullName;

    [Fact]
    public async Task GivenAnIntactThenATamperedChain_WhenVerifiedFromTheCommandLine_ThenVerifyExitsZeroThenOneAndNamesTheBreak()
    {
        var path = Path.Combine(_folder, "events.db");
        var keyPath = Path.Combine(_folder, "checkpoint-key.pem");
        using (var signer = CheckpointSigner.LoadOrCreate(keyPath))
        await using (var store = SqliteEventStore.ForFile(path))
        {
            await store.InitializeAsync();
            var log = new AuditLog(store, signer);
            await log.AppendAsync(TestEmitters.Signed(Enumerable.Range(1, 5).Select(n => AuditChainTests.Entry(n))));
            await log.CheckpointAsync();
        }

        var publicKeyPath = Path.Combine(_folder, "checkpoint-key.pub.pem");
        using (var key = ECDsa.Create())
        {
            key.ImportFromPem(await File.ReadAllTextAsync(keyPath));
            await File.WriteAllTextAsync(publicKeyPath, key.ExportSubjectPublicKeyInfoPem());
        }

        var recordKeyPath = Path.Combine(_folder, "record.pub.pem");
        await File.WriteAllTextAsync(recordKeyPath, TestEmitters.Record.PublicKeyPem);

        var (intactCode, intactOutput) = await RunAsync("verify", "--sqlite", path, "--key", publicKeyPath, "--emitter", $"record={recordKeyPath}");
        Assert.Equal(0, intactCode);
        Assert.StartsWith("INTACT: 5 links (seq 1 to 5), 1 signed checkpoints valid, 5 emitter signatures valid.", intactOutput, StringComparison.Ordinal);

        var (unknownCode, unknownOutput) = await RunAsync("verify", "--sqlite", path, "--key", publicKeyPath);
        Assert.Equal(1, unknownCode);
        Assert.StartsWith("BROKEN at seq 1: SignatureInvalid.", unknownOutput, StringComparison.Ordinal);
        Assert.Contains("not a key of any trusted emitter", unknownOutput, StringComparison.Ordinal);

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var delete = connection.CreateCommand();
            delete.CommandText = "delete from events where stream_id = 'audit-log' and stream_version = 2";
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }

        var (brokenCode, brokenOutput) = await RunAsync("verify", "--sqlite", path, "--key", publicKeyPath, "--emitter-keys", _folder);
        Assert.Equal(1, brokenCode);
        Assert.StartsWith("BROKEN at seq 3: Removed.", brokenOutput, StringComparison.Ordinal);

        var (untrustedCode, untrustedOutput) = await RunAsync("verify", "--sqlite", path, "--from", "4", "--emitter", $"record={recordKeyPath}");
        Assert.Equal(1, untrustedCode);
        Assert.Contains("CheckpointInvalid", untrustedOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("verify --from")]
    [InlineData("verify --from x")]
    [InlineData("verify --colour red")]
    [InlineData("verify --emitter record")]
    [InlineData("verify --emitter record=/no/such/key.pem")]
    public async Task GivenBadUsage_WhenVerifyRuns_ThenExitCodeTwoWithUsage(string arguments)
    {
        var error = new StringWriter();
        var code = await AuditCommandLine.RunAsync(arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries), new StringWriter(), error);

        Assert.Equal(2, code);
        Assert.Contains("usage: Chronicle.Audit verify", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var code = await AuditCommandLine.RunAsync(args, output, new StringWriter());
        SqliteConnection.ClearAllPools();
        return (code, output.ToString());
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
