using Chronicle.Auditing;
using Chronicle.EventStore;

namespace Chronicle.Audit.Chain;

/// <summary>Where an entry landed: its sequence number, or the one it already had when it was delivered before.</summary>
public sealed record ChainedEntry(Guid EntryId, long Seq, bool Duplicate);

/// <summary>
/// The append-only audit log: one stream of <see cref="ChainLink"/>s in the Audit service's own event store, and a
/// stream of signed checkpoints beside it. Each link's event id is its entry id, so the store itself refuses a second
/// copy of an entry: a re-delivered entry comes back as a duplicate with the sequence number it already has.
/// Appends are serialised in this process and guarded by the expected version against any other writer, so
/// sequence numbers are dense and each link names its true predecessor.
/// </summary>
public sealed class AuditLog(IEventStore store, CheckpointSigner? signer = null, TimeProvider? time = null)
{
    public const string LogStream = "audit-log";
    public const string CheckpointStream = "audit-checkpoints";
    private static readonly EventMetadata Metadata = new() { ClientId = "chronicle-audit" };

    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private Head? _head;

    /// <summary>The last link: its sequence number (0 for an empty log) and hash.</summary>
    public async Task<(long Seq, string Hash)> GetHeadAsync(CancellationToken cancellationToken = default)
    {
        var head = await ReadHeadAsync(cancellationToken).ConfigureAwait(false);
        return (head.Seq, head.Hash);
    }

    /// <summary>
    /// Chains the entries in the order given, each with its emitter's signature; entries already chained (or repeated in
    /// the batch) are reported as duplicates. Checking the signatures is the caller's part (the ingestion refuses what does
    /// not verify); the log only makes an unsigned entry impossible to chain.
    /// </summary>
    public async Task<IReadOnlyList<ChainedEntry>> AppendAsync(IReadOnlyList<SignedAuditEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var results = new ChainedEntry?[entries.Count];
            var firstIndex = new Dictionary<Guid, int>();
            for (var i = 0; i < entries.Count; i++)
            {
                if (!firstIndex.TryAdd(entries[i].Entry.EntryId, i))
                    results[i] = null; // resolved below, once the first copy has its number
            }

            var pending = firstIndex.Values.Order().ToList();
            while (pending.Count > 0)
            {
                var head = _head ?? await ReadHeadAsync(cancellationToken).ConfigureAwait(false);
                var batch = pending.Take(EventStoreLimits.MaxEventsPerAppend).ToList();
                var links = new List<ChainLink>(batch.Count);
                var (seq, hash) = (head.Seq, head.Hash);
                foreach (var index in batch)
                {
                    var link = ChainLink.Create(++seq, hash, entries[index]);
                    links.Add(link);
                    hash = link.Hash;
                }

                try
                {
                    var expected = head.Version < 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exact(head.Version);
                    var appended = await store.AppendAsync(LogStream, expected,
                        links.Select(l => new EventData(l.Entry.EntryId, ChainLink.EventType, l.ToBytes(), Metadata)).ToList(),
                        cancellationToken).ConfigureAwait(false);
                    _head = new Head(appended.NextExpectedVersion, seq, hash);
                    for (var i = 0; i < batch.Count; i++)
                        results[batch[i]] = new ChainedEntry(links[i].Entry.EntryId, links[i].Seq, Duplicate: false);
                    pending.RemoveRange(0, batch.Count);
                }
                catch (WrongExpectedVersionException)
                {
                    _head = null; // another writer moved the log on: re-read the head and re-link
                }
                catch (EventIdConflictException conflict)
                {
                    // That entry is chained already: report its number and chain the rest without it.
                    _head = null;
                    var index = pending.First(i => entries[i].Entry.EntryId == conflict.EventId);
                    var existing = await FindAsync(conflict.EventId, cancellationToken).ConfigureAwait(false)
                        ?? throw new InvalidOperationException($"Audit entry {conflict.EventId} conflicts but cannot be found in the log.");
                    results[index] = new ChainedEntry(conflict.EventId, existing.Seq, Duplicate: true);
                    pending.Remove(index);
                }
            }

            for (var i = 0; i < entries.Count; i++)
            {
                if (results[i] is null)
                    results[i] = results[firstIndex[entries[i].Entry.EntryId]]! with { Duplicate = true };
            }

            return results!;
        }
        catch
        {
            _head = null;
            throw;
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Signs the current head and stores the checkpoint. Null when the log is empty or no signer is configured.</summary>
    public async Task<SignedCheckpoint?> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        if (signer is null)
            return null;
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var head = await ReadHeadAsync(cancellationToken).ConfigureAwait(false);
            if (head.Seq == 0)
                return null;
            var checkpoint = signer.Sign(head.Seq, head.Hash, _time.GetUtcNow());
            await store.AppendAsync(CheckpointStream, ExpectedVersion.Any,
                [new EventData(Guid.CreateVersion7(), SignedCheckpoint.EventType, checkpoint.ToBytes(), Metadata)],
                cancellationToken).ConfigureAwait(false);
            return checkpoint;
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task<ChainLink?> FindAsync(Guid entryId, CancellationToken cancellationToken)
    {
        // Re-deliveries are rare and usually recent: search from the end.
        long? from = null;
        while (true)
        {
            var page = await store.ReadStreamAsync(LogStream, new StreamReadOptions
            {
                Direction = ReadDirection.Backward, FromVersion = from, MaxCount = 1000,
            }, cancellationToken).ConfigureAwait(false);
            foreach (var recorded in page)
            {
                if (recorded.EventId == entryId)
                    return ChainLink.TryRead(recorded.Data)?.Link;
            }

            if (page.Count < 1000)
                return null;
            from = page[^1].StreamVersion - 1;
        }
    }

    private async Task<Head> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var last = await store.ReadStreamAsync(LogStream, new StreamReadOptions { Direction = ReadDirection.Backward, MaxCount = 1 },
            cancellationToken).ConfigureAwait(false);
        if (last.Count == 0)
            return new Head(-1, 0, ChainLink.GenesisHash);
        var link = ChainLink.TryRead(last[0].Data)
            ?? throw new InvalidDataException("The last audit link cannot be read: run the verifier.");
        return new Head(last[0].StreamVersion, link.Link.Seq, link.Link.Hash);
    }

    private sealed record Head(long Version, long Seq, string Hash);
}
