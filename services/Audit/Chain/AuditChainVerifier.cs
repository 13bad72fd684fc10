using Chronicle.Auditing;
using Chronicle.EventStore;

namespace Chronicle.Audit.Chain;

public enum ChainProblemKind
{
    /// <summary>A stored link's content no longer matches its own hash, or is not a link at all.</summary>
    Altered,

    /// <summary>Links are missing: the sequence jumps.</summary>
    Removed,

    /// <summary>A link that was never chained sits in the log.</summary>
    Inserted,

    /// <summary>Links are stored out of sequence order.</summary>
    Reordered,

    /// <summary>A link is stored twice.</summary>
    Duplicated,

    /// <summary>A link does not name its predecessor's hash: the predecessor was altered and re-hashed, or this link was forged.</summary>
    LinkBroken,

    /// <summary>A checkpoint's signature is not valid under any trusted key.</summary>
    CheckpointInvalid,

    /// <summary>A validly signed checkpoint disagrees with the chain (the chain was rewritten, or cut short, after it was signed).</summary>
    CheckpointMismatch,

    /// <summary>
    /// An entry's emitter signature does not verify: it was altered (and its link re-hashed) after it was chained, or its
    /// key is not a trusted key of the service the entry names.
    /// </summary>
    SignatureInvalid,

    /// <summary>An unsigned entry after signed ones: only entries chained before signatures began may be unsigned.</summary>
    Unsigned,
}

/// <summary>The first place the chain breaks: what, where in the sequence, where in storage (the stream version), and why.</summary>
public sealed record ChainProblem(ChainProblemKind Kind, long Seq, long? StorageVersion, string Detail);

/// <param name="SignaturesChecked">Links whose emitter signature was checked and verified.</param>
/// <param name="UnsignedLinks">Links chained before entries were signed, accepted as such (they precede every signed link).</param>
public sealed record ChainVerification(bool Intact, long LinksChecked, long FirstSeq, long LastSeq, int CheckpointsChecked, ChainProblem? Problem,
    long SignaturesChecked = 0, long UnsignedLinks = 0);

/// <summary>
/// Checks the audit chain, whole or a range of it, and names the first point where it breaks and why. It walks the
/// stored links in storage order and expects each to be intact (its bytes are its canonical form and hash to its
/// hash), to carry the next sequence number, and to name the previous link's hash. At a break it looks ahead to tell
/// the causes apart: a link out of place whose successor follows later is reordered; a link nothing names as
/// predecessor while the chain carries on around it is inserted; a jump with nothing out of place is a removal.
/// Each link in place must also carry its emitter's signature, valid under a trusted key of the service the entry names
/// (<see cref="AuditEmitterKeys"/>): that pinpoints an entry altered and re-hashed, which the hashes alone show only at
/// the next link or checkpoint. Links chained before signatures began are unsigned; they are reported as such, and one
/// unsigned link after a signed one is a break. Signed checkpoints then pin the chain's state at moments in time,
/// catching a rewrite of a whole tail.
/// </summary>
public sealed class AuditChainVerifier(IEventStore store, TrustedCheckpointKeys trustedKeys, AuditEmitterKeys emitters)
{
    private const int PageSize = 1000;
    private const int LookAhead = 1000;

    public async Task<ChainVerification> VerifyAsync(long fromSeq = 1, long? toSeq = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fromSeq, 1);
        if (toSeq < fromSeq)
            throw new ArgumentOutOfRangeException(nameof(toSeq), "The range ends before it starts.");

        var rows = new StoredLinks(store);
        var (expected, lastHash, signedBefore) = await rows.StartAsync(fromSeq, cancellationToken).ConfigureAwait(false);
        var hashBeforeLast = (string?)null;
        var hashes = new Dictionary<long, string>();
        long checkedLinks = 0, signatures = 0, unsigned = 0;
        ChainProblem? problem = null;
        while (problem is null && (toSeq is null || expected <= toSeq))
        {
            var row = await rows.PeekAsync(0, cancellationToken).ConfigureAwait(false);
            if (row is null)
                break;
            problem = await CheckAsync(row, expected, lastHash, hashBeforeLast, rows, cancellationToken).ConfigureAwait(false)
                ?? CheckSignature(row, signedBefore);
            if (problem is not null)
                break;
            if (row.Link!.Signature is null)
                unsigned++;
            else
                (signatures, signedBefore) = (signatures + 1, true);
            hashBeforeLast = lastHash;
            lastHash = row.Link!.Hash;
            hashes[expected] = lastHash;
            expected++;
            checkedLinks++;
            await rows.AdvanceAsync(cancellationToken).ConfigureAwait(false);
        }

        var lastSeq = expected - 1;
        var (checkpoints, checkpointProblem) = problem is null
            ? await CheckCheckpointsAsync(fromSeq, lastSeq, toSeq is null, hashes, cancellationToken).ConfigureAwait(false)
            : (0, null);
        problem ??= checkpointProblem;
        return new ChainVerification(problem is null, checkedLinks, fromSeq, lastSeq, checkpoints, problem, signatures, unsigned);
    }

    /// <summary>A link in its place: is it signed by its emitter (or, before any signed link, unsigned as all were then)?</summary>
    private ChainProblem? CheckSignature(StoredLink row, bool signedBefore)
    {
        var link = row.Link!;
        if (link.Signature is null)
            return signedBefore
                ? new ChainProblem(ChainProblemKind.Unsigned, link.Seq, row.Version,
                    $"Seq {link.Seq} at version {row.Version} (service '{link.Entry.Service}') carries no emitter signature, but follows signed entries: " +
                    "only entries chained before signatures began are unsigned, so this one was put into the log by other means.")
                : null;
        return emitters.Check(link.Entry, link.Signature) is { } why
            ? new ChainProblem(ChainProblemKind.SignatureInvalid, link.Seq, row.Version, $"Seq {link.Seq} at version {row.Version}: {why}.")
            : null;
    }

    private static async Task<ChainProblem?> CheckAsync(StoredLink row, long expected, string lastHash, string? hashBeforeLast,
        StoredLinks rows, CancellationToken cancellationToken)
    {
        if (row.Link is null || !row.Intact)
        {
            var claimed = row.Link is null ? "" : $" (it claims seq {row.Link.Seq})";
            return new ChainProblem(ChainProblemKind.Altered, row.Link?.Seq ?? expected, row.Version,
                $"The link stored at version {row.Version}{claimed} was altered: its content no longer matches its hash.");
        }

        var link = row.Link;
        if (link.Seq == expected && link.PreviousHash == lastHash)
            return null;

        if (link.Seq < expected)
        {
            if (link.Seq == expected - 1 && link.Hash == lastHash)
                return new ChainProblem(ChainProblemKind.Duplicated, link.Seq, row.Version, $"Seq {link.Seq} is stored twice (again at version {row.Version}).");
            if (link.Seq == expected - 1 && link.PreviousHash == hashBeforeLast)
                return new ChainProblem(ChainProblemKind.Inserted, link.Seq, row.Version - 1,
                    $"The link stored at version {row.Version - 1} claiming seq {link.Seq} was inserted: the genuine seq {link.Seq} follows it at version {row.Version}.");
            return new ChainProblem(ChainProblemKind.Reordered, link.Seq, row.Version,
                $"Seq {link.Seq} is stored at version {row.Version}, after seq {expected - 1}: the log is out of order.");
        }

        // A break: find the link that should be here (seq expected, after lastHash), and whether anything names this one.
        var (successorAt, namedAt) = (-1, -1);
        for (var i = 1; i <= LookAhead && (successorAt < 0 || namedAt < 0); i++)
        {
            var ahead = await rows.PeekAsync(i, cancellationToken).ConfigureAwait(false);
            if (ahead is null)
                break;
            if (successorAt < 0 && ahead.Link is { } candidate && candidate.Seq == expected && candidate.PreviousHash == lastHash)
                successorAt = i;
            if (namedAt < 0 && ahead.Link is { } next && next.PreviousHash == link.Hash)
                namedAt = i;
        }

        if (successorAt > 0 && namedAt > 0)
            return new ChainProblem(ChainProblemKind.Reordered, link.Seq, row.Version,
                $"Seq {link.Seq} is stored at version {row.Version}, before seq {expected}: the log is out of order.");
        if (successorAt > 0)
            return new ChainProblem(ChainProblemKind.Inserted, link.Seq, row.Version,
                $"The link stored at version {row.Version} (claiming seq {link.Seq}) was inserted: no link names it, and the chain carries on after it from seq {expected - 1}.");
        if (link.Seq > expected)
            return new ChainProblem(ChainProblemKind.Removed, expected, row.Version,
                link.Seq == expected + 1
                    ? $"Seq {expected} was removed: seq {link.Seq} follows seq {expected - 1} at version {row.Version}."
                    : $"Seqs {expected} to {link.Seq - 1} were removed: seq {link.Seq} follows seq {expected - 1} at version {row.Version}.");
        return new ChainProblem(ChainProblemKind.LinkBroken, link.Seq, row.Version,
            $"Seq {link.Seq} at version {row.Version} names a predecessor hash that seq {expected - 1} does not have: seq {expected - 1} was altered and re-hashed, or seq {link.Seq} was forged.");
    }

    private async Task<(int Checked, ChainProblem? Problem)> CheckCheckpointsAsync(long fromSeq, long lastSeq, bool wholeTail,
        Dictionary<long, string> hashes, CancellationToken cancellationToken)
    {
        var count = 0;
        long? from = null;
        while (true)
        {
            var page = await store.ReadStreamAsync(AuditLog.CheckpointStream, new StreamReadOptions { FromVersion = from, MaxCount = PageSize },
                cancellationToken).ConfigureAwait(false);
            foreach (var recorded in page)
            {
                var checkpoint = SignedCheckpoint.TryRead(recorded.Data);
                if (checkpoint is null || !trustedKeys.IsValid(checkpoint))
                    return (count, new ChainProblem(ChainProblemKind.CheckpointInvalid, checkpoint?.Seq ?? 0, null,
                        $"Checkpoint {recorded.StreamVersion} is not validly signed by a trusted key."));
                count++;
                if (checkpoint.Seq < fromSeq)
                    continue;
                if (checkpoint.Seq > lastSeq)
                {
                    if (wholeTail)
                        return (count, new ChainProblem(ChainProblemKind.CheckpointMismatch, lastSeq + 1, null,
                            $"A checkpoint signed at {checkpoint.SignedAt:O} vouches for seq {checkpoint.Seq}, but the chain ends at seq {lastSeq}: links were removed from its end."));
                    continue;
                }

                if (hashes[checkpoint.Seq] != checkpoint.Hash)
                    return (count, new ChainProblem(ChainProblemKind.CheckpointMismatch, checkpoint.Seq, null,
                        $"Seq {checkpoint.Seq} hashes to {hashes[checkpoint.Seq]}, but the checkpoint signed at {checkpoint.SignedAt:O} vouches for {checkpoint.Hash}: the chain was rewritten."));
            }

            if (page.Count < PageSize)
                return (count, null);
            from = page[^1].StreamVersion + 1;
        }
    }

    private sealed record StoredLink(long Version, ChainLink? Link, bool Intact);

    /// <summary>The stored links in storage order, paged, with a window to look ahead in.</summary>
    private sealed class StoredLinks(IEventStore store)
    {
        private readonly List<StoredLink> _window = [];
        private long _nextVersion;
        private bool _exhausted;

        /// <summary>
        /// Positions the walk at <paramref name="start"/>; returns the seq expected first, the hash before it, and whether
        /// the predecessor is signed (then so must every link of the range be). Links are stored at version seq - 1 (the
        /// log only ever appends whole links), so the predecessor is at start - 2.
        /// </summary>
        public async Task<(long Expected, string PreviousHash, bool SignedBefore)> StartAsync(long start, CancellationToken cancellationToken)
        {
            if (start == 1)
                return (1, ChainLink.GenesisHash, false);
            _nextVersion = start - 2;
            var before = await PeekAsync(0, cancellationToken).ConfigureAwait(false);
            if (before?.Link is { } link && before.Intact && link.Seq == start - 1)
            {
                await AdvanceAsync(cancellationToken).ConfigureAwait(false);
                return (start, link.Hash, link.Signature is not null);
            }

            // The predecessor is missing or damaged (a whole-chain check will say how): anchor on the first link's own claim.
            return (start, before?.Link?.PreviousHash ?? ChainLink.GenesisHash, before?.Link?.Signature is not null);
        }

        public async Task<StoredLink?> PeekAsync(int offset, CancellationToken cancellationToken)
        {
            while (_window.Count <= offset && !_exhausted)
            {
                var page = await store.ReadStreamAsync(AuditLog.LogStream, new StreamReadOptions { FromVersion = _nextVersion, MaxCount = PageSize },
                    cancellationToken).ConfigureAwait(false);
                foreach (var recorded in page)
                {
                    var read = ChainLink.TryRead(recorded.Data);
                    _window.Add(new StoredLink(recorded.StreamVersion, read?.Link, read?.Intact ?? false));
                }

                _exhausted = page.Count < PageSize;
                if (page.Count > 0)
                    _nextVersion = page[^1].StreamVersion + 1;
            }

            return offset < _window.Count ? _window[offset] : null;
        }

        public async Task AdvanceAsync(CancellationToken cancellationToken)
        {
            if (await PeekAsync(0, cancellationToken).ConfigureAwait(false) is not null)
                _window.RemoveAt(0);
        }
    }
}
