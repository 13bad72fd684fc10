using System.Security.Cryptography;
using System.Text.Json;
using Chronicle.Auditing;

namespace Chronicle.Audit.Chain;

/// <summary>
/// An audit entry in the chain: its sequence number, the previous link's hash, the entry, its emitter's signature, and
/// this link's hash, SHA-256 over the canonical bytes of <c>{"seq","previousHash","entry","keyId","signature"}</c>.
/// Stored as exactly the bytes <see cref="ToBytes"/> gives, so any change to a stored link, even one that keeps the JSON's
/// meaning, is seen.
/// <para>
/// Links chained before entries were signed have no <c>keyId</c> and <c>signature</c>: the two are written only when
/// present, so those links keep exactly their bytes and hashes. Every link chained since carries them (the log accepts
/// only <see cref="SignedAuditEntry"/>s).
/// </para>
/// </summary>
public sealed record ChainLink(long Seq, string PreviousHash, AuditEntry Entry, AuditEntrySignature? Signature, string Hash)
{
    /// <summary>The previous hash of the first link.</summary>
    public static readonly string GenesisHash = new('0', 64);

    public const string EventType = "V1.AuditEntryChained";

    public static ChainLink Create(long seq, string previousHash, SignedAuditEntry signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        return Create(seq, previousHash, signed.Entry, signed.Signature);
    }

    /// <summary>A link as stored, signed or (as before signatures) not; for reading and for tests that play an intruder.</summary>
    public static ChainLink Create(long seq, string previousHash, AuditEntry entry, AuditEntrySignature? signature) =>
        new(seq, previousHash, entry, signature, ComputeHash(seq, previousHash, entry, signature));

    public static string ComputeHash(long seq, string previousHash, AuditEntry entry, AuditEntrySignature? signature) =>
        Convert.ToHexStringLower(SHA256.HashData(Write(seq, previousHash, entry, signature, hash: null)));

    public byte[] ToBytes() => Write(Seq, PreviousHash, Entry, Signature, Hash);

    /// <summary>Reads stored bytes: null when they are not a link at all; otherwise the link and whether it is intact.</summary>
    public static (ChainLink Link, bool Intact)? TryRead(byte[] stored)
    {
        try
        {
            using var document = JsonDocument.Parse(stored);
            var root = document.RootElement;
            var signature = root.TryGetProperty("signature", out var value)
                ? new AuditEntrySignature(root.GetProperty("keyId").GetString()!, value.GetString()!)
                : null;
            var link = new ChainLink(
                root.GetProperty("seq").GetInt64(),
                root.GetProperty("previousHash").GetString()!,
                AuditCanonicalForm.Read(root.GetProperty("entry")),
                signature,
                root.GetProperty("hash").GetString()!);
            var intact = link.Hash == ComputeHash(link.Seq, link.PreviousHash, link.Entry, link.Signature) && link.ToBytes().AsSpan().SequenceEqual(stored);
            return (link, intact);
        }
        catch (Exception error) when (error is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or NullReferenceException)
        {
            return null;
        }
    }

    private static byte[] Write(long seq, string previousHash, AuditEntry entry, AuditEntrySignature? signature, string? hash)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq", seq);
            writer.WriteString("previousHash", previousHash);
            writer.WritePropertyName("entry");
            AuditCanonicalForm.Write(writer, entry);
            if (signature is not null)
            {
                writer.WriteString("keyId", signature.KeyId);
                writer.WriteString("signature", signature.Value);
            }

            if (hash is not null)
                writer.WriteString("hash", hash);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
