using System.Text;
using Chronicle.Audit.Chain;
using Chronicle.Auditing;
using Chronicle.EventStore;
using Chronicle.Testing;

namespace Chronicle.Audit.Tests;

/// <summary>The chain and its verifier, on each backend, with tampering done the way an intruder would: SQL on the table.</summary>
public abstract class AuditChainTests(StorageBackend storage) : IAsyncLifetime
{
    private readonly CheckpointSigner _signer = CheckpointSigner.Generate();
    private AuditBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await AuditBackend.CreateAsync(storage);

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        _signer.Dispose();
    }

    private AuditLog Log => new(_backend.Store, _signer);
    private AuditChainVerifier Verifier => new(_backend.Store, new TrustedCheckpointKeys([_signer.PublicKey]), TestEmitters.Keys());

    internal static AuditEntry Entry(int n, string user = "G8123456") => new()
    {
        EntryId = Guid.CreateVersion7(),
        OccurredAt = new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero).AddSeconds(n),
        Service = "record",
        UserId = user,
        Role = "GP",
        OrganisationOds = "A81001",
        ClientId = "gp-desktop",
        PatientId = "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        Action = AuditAction.Read,
        ResourceType = "Patient",
        ResourceId = "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        Outcome = 200,
        CorrelationId = $"corr-{n}",
    };

    private async Task<IReadOnlyList<AuditEntry>> ChainAsync(int count)
    {
        var entries = Enumerable.Range(1, count).Select(n => Entry(n)).ToList();
        await Log.AppendAsync(TestEmitters.Signed(entries));
        return entries;
    }

    [Fact]
    public async Task GivenEntries_WhenChained_ThenSeqsAreDenseAndEachLinkNamesItsPredecessor()
    {
        var log = Log;
        var first = await log.AppendAsync(TestEmitters.Signed([Entry(1), Entry(2)]));
        var second = await log.AppendAsync(TestEmitters.Signed([Entry(3)]));

        Assert.Equal([1L, 2, 3], first.Concat(second).Select(c => c.Seq));
        var stored = await _backend.Store.ReadStreamAsync(AuditLog.LogStream, StreamReadOptions.Forwards);
        var links = stored.Select(e => ChainLink.TryRead(e.Data)!.Value).ToList();
        Assert.All(links, l => Assert.True(l.Intact));
        Assert.Equal(ChainLink.GenesisHash, links[0].Link.PreviousHash);
        Assert.Equal(links[0].Link.Hash, links[1].Link.PreviousHash);
        Assert.Equal(links[1].Link.Hash, links[2].Link.PreviousHash);
        Assert.Equal((3L, links[2].Link.Hash), await log.GetHeadAsync());

        var verified = await Verifier.VerifyAsync();
        Assert.True(verified.Intact, verified.Problem?.Detail);
        Assert.Equal(3, verified.LinksChecked);
    }

    [Fact]
    public async Task GivenChainedEntries_WhenRedelivered_ThenEachIsChainedOnceAndReportedWithItsSeq()
    {
        var a = TestEmitters.Signed(Entry(1));
        var b = TestEmitters.Signed(Entry(2));
        await Log.AppendAsync([a, b]);

        // A second process (a fresh AuditLog) receives a, b again, c new, and c twice in one batch.
        var c = TestEmitters.Signed(Entry(3));
        var results = await Log.AppendAsync([b, c, a, c]);

        Assert.Equal([(2L, true), (3L, false), (1L, true), (3L, true)], results.Select(r => (r.Seq, r.Duplicate)));
        Assert.Equal(3, (await _backend.Store.ReadStreamAsync(AuditLog.LogStream, StreamReadOptions.Forwards)).Count);
        Assert.True((await Verifier.VerifyAsync()).Intact);
    }

    [Fact]
    public async Task GivenTwoWritersOnOneStore_WhenBothChainEntries_ThenTheChainNeverForks()
    {
        var writers = Enumerable.Range(0, 4).Select(_ => Log).ToList();
        await Task.WhenAll(writers.Select((w, i) => Task.Run(async () =>
        {
            for (var n = 0; n < 10; n++)
                await w.AppendAsync(TestEmitters.Signed([Entry(i * 100 + n), Entry(i * 100 + n + 50)]));
        })));

        var verified = await Verifier.VerifyAsync();
        Assert.True(verified.Intact, verified.Problem?.Detail);
        Assert.Equal(80, verified.LinksChecked);
    }

    [Fact]
    public async Task GivenAnEntryChangedInTheDatabase_WhenVerified_ThenTheVerifierNamesItAsAltered()
    {
        await ChainAsync(10);
        await _backend.ExecuteAsync(
            "update {events} set data = @a where stream_id = 'audit-log' and stream_version = 4",
            await ReplaceInDataAsync(4, "G8123456", "G9999999"));

        var problem = (await Verifier.VerifyAsync()).Problem!;

        Assert.Equal(ChainProblemKind.Altered, problem.Kind);
        Assert.Equal(5, problem.Seq);
    }

    [Fact]
    public async Task GivenAnEntryChangedAndReHashed_WhenVerified_ThenTheVerifierNamesItBecauseItsSignatureNoLongerVerifies()
    {
        await ChainAsync(10);
        var link = ChainLink.TryRead(await DataAtAsync(4))!.Value.Link;
        var forged = ChainLink.Create(link.Seq, link.PreviousHash, link.Entry with { UserId = "G9999999" }, link.Signature);
        await _backend.ExecuteAsync("update {events} set data = @a where stream_id = 'audit-log' and stream_version = 4", forged.ToBytes());

        var problem = (await Verifier.VerifyAsync()).Problem!;

        Assert.Equal((ChainProblemKind.SignatureInvalid, 5L), (problem.Kind, problem.Seq));
        Assert.Contains("does not verify", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAnEntrysSignatureAlteredInTheDatabase_WhenVerified_ThenTheVerifierNamesThatEntry()
    {
        await ChainAsync(10);
        var link = ChainLink.TryRead(await DataAtAsync(4))!.Value.Link;
        var otherSignature = TestEmitters.Record.Sign(link.Entry with { UserId = "G9999999" }).Signature;
        // As an intruder who also re-hashes the link so that its own hash holds; only the signature can tell.
        var altered = ChainLink.Create(link.Seq, link.PreviousHash, link.Entry, otherSignature);
        await _backend.ExecuteAsync("update {events} set data = @a where stream_id = 'audit-log' and stream_version = 4", altered.ToBytes());
        var rehashed = await Verifier.VerifyAsync();
        await _backend.ExecuteAsync("update {events} set data = @a where stream_id = 'audit-log' and stream_version = 4",
            (link with { Signature = otherSignature }).ToBytes());

        var notRehashed = await Verifier.VerifyAsync();

        Assert.Equal((ChainProblemKind.SignatureInvalid, 5L, 4L), (rehashed.Problem!.Kind, rehashed.Problem.Seq, rehashed.Problem.StorageVersion));
        Assert.Equal(4, rehashed.LinksChecked);
        Assert.Equal((ChainProblemKind.Altered, 5L), (notRehashed.Problem!.Kind, notRehashed.Problem.Seq));
    }

    [Fact]
    public async Task GivenAnEntrySignedByAnotherServicesKey_WhenStored_ThenTheVerifierNamesIt()
    {
        await ChainAsync(3);
        await Log.AppendAsync([TestEmitters.Identity.Sign(Entry(4))]);

        var problem = (await Verifier.VerifyAsync()).Problem!;

        Assert.Equal((ChainProblemKind.SignatureInvalid, 4L), (problem.Kind, problem.Seq));
        Assert.Contains("belongs to 'identity'", problem.Detail, StringComparison.Ordinal);
    }

    /// <summary>A link exactly as the chain stored it before entries were signed (no keyId, no signature).</summary>
    private const string LinkBeforeSignatures =
        """{"seq":1,"previousHash":"0000000000000000000000000000000000000000000000000000000000000000","entry":{"entryId":"0193a5a4-7a4e-7d1c-9f00-0123456789ab","occurredAt":"2026-11-25T21:40:01.1234567Z","service":"record","userId":"G8123456","role":"GP","organisationOds":"A81001","clientId":"gp-desktop","onBehalfOf":null,"patientId":"9f6c1a52-0000-4000-8000-000000000001","action":"Read","resourceType":"Patient","resourceId":"9f6c1a52-0000-4000-8000-000000000001","query":null,"outcome":200,"correlationId":"corr-1","breakGlass":false,"breakGlassReason":null},"hash":"f2fdd830ab67daa315dd2d7537b66093e7db0ac6b0a4e49538bae814d9676531"}""";

    [Fact]
    public async Task GivenLinksChainedBeforeSignatures_WhenVerified_ThenTheyKeepTheirBytesAndHashesAndVerifyAsUnsignedBeforeTheSignedOnes()
    {
        var bytes = Encoding.UTF8.GetBytes(LinkBeforeSignatures);
        var (legacy, intact) = ChainLink.TryRead(bytes)!.Value;
        await AppendUnsignedAsync([legacy, ChainLink.Create(2, legacy.Hash, Entry(2), null)]);
        await ChainAsync(3);

        var verified = await Verifier.VerifyAsync();
        var range = await Verifier.VerifyAsync(fromSeq: 2, toSeq: 4);

        Assert.True(intact);
        Assert.Equal("f2fdd830ab67daa315dd2d7537b66093e7db0ac6b0a4e49538bae814d9676531", legacy.Hash);
        Assert.Equal(bytes, legacy.ToBytes());
        Assert.True(verified.Intact, verified.Problem?.Detail);
        Assert.Equal((5L, 3L, 2L), (verified.LinksChecked, verified.SignaturesChecked, verified.UnsignedLinks));
        Assert.Equal(bytes, await DataAtAsync(0));
        Assert.True(range.Intact, range.Problem?.Detail);
        Assert.Equal((2L, 1L), (range.SignaturesChecked, range.UnsignedLinks));
        Assert.Contains("3 emitter signatures valid, 2 entries unsigned (chained before signatures)", AuditCommandLine.Describe(verified), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAnUnsignedLinkAfterSignedOnes_WhenVerified_ThenTheVerifierNamesItAsUnsigned()
    {
        await ChainAsync(3);
        var head = ChainLink.TryRead(await DataAtAsync(2))!.Value.Link;
        await AppendUnsignedAsync([ChainLink.Create(4, head.Hash, Entry(4, user: "G0000000"), null)], expectedVersion: 2);
        var afterIt = await Log.AppendAsync(TestEmitters.Signed([Entry(5)]));

        var whole = await Verifier.VerifyAsync();
        var range = await Verifier.VerifyAsync(fromSeq: 4);

        Assert.Equal(5, Assert.Single(afterIt).Seq);
        Assert.Equal((ChainProblemKind.Unsigned, 4L), (whole.Problem!.Kind, whole.Problem.Seq));
        Assert.Equal((ChainProblemKind.Unsigned, 4L), (range.Problem!.Kind, range.Problem.Seq));
    }

    [Fact]
    public async Task GivenAnUnsignedEntryChangedAndReHashed_WhenVerified_ThenTheVerifierNamesTheBrokenLink()
    {
        var entries = Enumerable.Range(1, 10).Select(n => Entry(n)).ToList();
        var links = new List<ChainLink>();
        foreach (var entry in entries)
            links.Add(ChainLink.Create(links.Count + 1, links.Count == 0 ? ChainLink.GenesisHash : links[^1].Hash, entry, null));
        await AppendUnsignedAsync(links);
        var link = links[4];
        var forged = ChainLink.Create(link.Seq, link.PreviousHash, link.Entry with { UserId = "G9999999" }, null);
        await _backend.ExecuteAsync("update {events} set data = @a where stream_id = 'audit-log' and stream_version = 4", forged.ToBytes());

        var problem = (await Verifier.VerifyAsync()).Problem!;

        Assert.Equal(ChainProblemKind.LinkBroken, problem.Kind);
        Assert.Equal(6, problem.Seq);
        Assert.Contains("seq 5 was altered", problem.Detail, StringComparison.Ordinal);
    }

    /// <summary>Stores links as the log stored them before signatures (or as an intruder writing the store directly would).</summary>
    private Task AppendUnsignedAsync(IReadOnlyList<ChainLink> links, long? expectedVersion = null) =>
        _backend.Store.AppendAsync(AuditLog.LogStream, expectedVersion is { } version ? ExpectedVersion.Exact(version) : ExpectedVersion.NoStream,
            links.Select(l => new EventData(l.Entry.EntryId, ChainLink.EventType, l.ToBytes(), new EventMetadata())).ToList());

    [Fact]
    public async Task GivenAnEntryDeleted_WhenVerified_ThenTheVerifierNamesTheGap()
    {
        await ChainAsync(10);
        Assert.Equal(1, await _backend.ExecuteAsync("delete from {events} where stream_id = 'audit-log' and stream_version = 6"));

        var problem = (await Verifier.VerifyAsync()).Problem!;

        Assert.Equal(ChainProblemKind.Removed, problem.Kind);
        Assert.Equal(7, problem.Seq);
        Assert.StartsWith("Seq 7 was removed", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTwoEntriesSwapped_WhenVerified_ThenTheVerifierNamesTheDisorder()
    {
        await ChainAsync(10);
        var third = await DataAtAsync(2);
        var fourth = await DataAtAsync(3);
        await _backend.ExecuteAsync("update {events} set data = @a where stream_id = 'audit-log' and stream_version = 2", fourth);
        await _backend.ExecuteAsync("update {events} set data = @a where stream_id = 'audit-log' and stream_version = 3", third);

        var problem = (await Verifier.VerifyAsync()).Problem!;

        Assert.Equal(ChainProblemKind.Reordered, problem.Kind);
        Assert.Equal(4, problem.Seq);
    }

    [Fact]
    public async Task GivenDistantEntriesSwapped_WhenVerified_ThenTheVerifierNamesTheDisorder()
    {
        await ChainAsync(10);
        var second = await DataAtAsync(1);
        var eighth = await DataAtAsync(7);
        await _backend.ExecuteAsync("update {events} set data = @a where stream_id = 'audit-log' and stream_version = 1", eighth);
        await _backend.ExecuteAsync("update {events} set data = @a where stream_id = 'audit-log' and stream_version = 7", second);

        var problem = (await Verifier.VerifyAsync()).Problem!;

        Assert.Equal(ChainProblemKind.Reordered, problem.Kind);
        Assert.Equal(8, problem.Seq);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GivenAForgedEntryInserted_WhenVerified_ThenTheVerifierNamesTheIntruder(bool linkedToItsPredecessor)
    {
        await ChainAsync(10);
        // Make room at version 5 by moving the later rows up one (two steps, so no unique key collides midway).
        await _backend.ExecuteAsync("update {events} set stream_version = -stream_version - 100 where stream_id = 'audit-log' and stream_version >= 5");
        await _backend.ExecuteAsync("update {events} set stream_version = -stream_version - 99 where stream_id = 'audit-log' and stream_version < 0");
        var predecessor = ChainLink.TryRead(await DataAtAsync(4))!.Value.Link;
        var forged = linkedToItsPredecessor
            ? ChainLink.Create(6, predecessor.Hash, TestEmitters.Signed(Entry(99, user: "G0000000")))
            : ChainLink.Create(6, new string('a', 64), TestEmitters.Signed(Entry(99, user: "G0000000")));
        await _backend.ExecuteAsync("""
            insert into {events} (position, tx_id, stream_id, stream_version, event_id, event_type, data, metadata, recorded_at{batch})
            select position + 1000, tx_id, stream_id, 5, event_id_new, event_type, @a, metadata, recorded_at{batch}
              from (select *, @b as event_id_new from {events} where stream_id = 'audit-log' and stream_version = 4) s
            """, forged.ToBytes(), EventIdValue(Guid.NewGuid()));

        var problem = (await Verifier.VerifyAsync()).Problem!;

        Assert.Equal(ChainProblemKind.Inserted, problem.Kind);
        Assert.Equal(5, problem.StorageVersion);
        Assert.Contains("inserted", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheTailRemovedAfterACheckpoint_WhenVerified_ThenTheCheckpointReportsIt()
    {
        await ChainAsync(10);
        await Log.CheckpointAsync();
        await _backend.ExecuteAsync("delete from {events} where stream_id = 'audit-log' and stream_version >= 8");

        var problem = (await Verifier.VerifyAsync()).Problem!;

        Assert.Equal(ChainProblemKind.CheckpointMismatch, problem.Kind);
        Assert.Equal(9, problem.Seq);
    }

    [Fact]
    public async Task GivenTheWholeTailRewrittenAfterACheckpoint_WhenVerified_ThenTheCheckpointReportsIt()
    {
        var entries = await ChainAsync(6);
        await Log.CheckpointAsync();
        await _backend.ExecuteAsync("delete from {events} where stream_id = 'audit-log' and stream_version >= 3");
        var head = ChainLink.TryRead(await DataAtAsync(2))!.Value.Link;
        var hash = head.Hash;
        for (var seq = 4; seq <= 6; seq++)
        {
            var forged = ChainLink.Create(seq, hash, TestEmitters.Signed(entries[seq - 1] with { UserId = "G0000000" }));
            hash = forged.Hash;
            await _backend.ExecuteAsync($$"""
                insert into {events} (position, tx_id, stream_id, stream_version, event_id, event_type, data, metadata, recorded_at{batch})
                select position + 1000 + {{seq}}, tx_id, stream_id, {{seq - 1}}, @b, event_type, @a, metadata, recorded_at{batch}
                  from {events} where stream_id = 'audit-log' and stream_version = 2
                """, forged.ToBytes(), EventIdValue(forged.Entry.EntryId));
        }

        var problem = (await Verifier.VerifyAsync()).Problem!;

        Assert.Equal(ChainProblemKind.CheckpointMismatch, problem.Kind);
        Assert.Equal(6, problem.Seq);
    }

    [Fact]
    public async Task GivenACheckpointFromAnUntrustedKey_WhenVerified_ThenItIsInvalid()
    {
        await ChainAsync(3);
        using var stranger = CheckpointSigner.Generate();
        await new AuditLog(_backend.Store, stranger).CheckpointAsync();

        var problem = (await Verifier.VerifyAsync()).Problem!;

        Assert.Equal(ChainProblemKind.CheckpointInvalid, problem.Kind);
    }

    [Fact]
    public async Task GivenABreakOutsideARange_WhenThatRangeIsVerified_ThenOnlyThatRangeIsCheckedAndTheBreakIsNotReported()
    {
        await ChainAsync(20);
        await Log.CheckpointAsync();
        await _backend.ExecuteAsync("delete from {events} where stream_id = 'audit-log' and stream_version = 2");

        var inRange = await Verifier.VerifyAsync(fromSeq: 10, toSeq: 15);
        var whole = await Verifier.VerifyAsync();

        Assert.True(inRange.Intact, inRange.Problem?.Detail);
        Assert.Equal(6, inRange.LinksChecked);
        Assert.Equal(ChainProblemKind.Removed, whole.Problem!.Kind);
        Assert.Equal(3, whole.Problem.Seq);
    }

    private async Task<byte[]> DataAtAsync(long version) =>
        (await _backend.Store.ReadStreamAsync(AuditLog.LogStream, new StreamReadOptions { FromVersion = version, MaxCount = 1 }))[0].Data;

    private async Task<byte[]> ReplaceInDataAsync(long version, string from, string to) =>
        Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(await DataAtAsync(version)).Replace(from, to, StringComparison.Ordinal));

    protected abstract object EventIdValue(Guid id);
}

public sealed class SqliteAuditChainTests() : AuditChainTests(StorageBackend.Sqlite)
{
    protected override object EventIdValue(Guid id) => id.ToByteArray(bigEndian: true);
}

[Collection(SharedPostgres.Collection)]
public sealed class PostgresAuditChainTests() : AuditChainTests(StorageBackend.Postgres)
{
    protected override object EventIdValue(Guid id) => id;
}
