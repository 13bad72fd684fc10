using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Chronicle.Audit.Chain;

/// <summary>A signed statement that the chain's link <see cref="Seq"/> had hash <see cref="Hash"/> at <see cref="SignedAt"/>.</summary>
public sealed record SignedCheckpoint(long Seq, string Hash, DateTimeOffset SignedAt, string KeyId, string Signature)
{
    public const string EventType = "V1.AuditCheckpointSigned";

    public byte[] SignedBytes() => Message(Seq, Hash, SignedAt);

    internal static byte[] Message(long seq, string hash, DateTimeOffset signedAt) =>
        Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"chronicle-audit-checkpoint/v1\n{seq}\n{hash}\n{signedAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'}"));

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, AuditChainJsonContext.Default.SignedCheckpoint);

    public static SignedCheckpoint? TryRead(byte[] stored)
    {
        try
        {
            return JsonSerializer.Deserialize(stored, AuditChainJsonContext.Default.SignedCheckpoint);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Signs checkpoints with an ECDSA P-256 key. The key id is the first 16 hex digits of the SHA-256 of the public
/// key (SubjectPublicKeyInfo), so a verifier can hold several trusted keys across rotations.
/// </summary>
public sealed class CheckpointSigner : IDisposable
{
    private readonly ECDsa _key;

    public CheckpointSigner(ECDsa key)
    {
        _key = key;
        PublicKey = key.ExportSubjectPublicKeyInfo();
        KeyId = KeyIdOf(PublicKey);
    }

    public byte[] PublicKey { get; }
    public string KeyId { get; }

    public static CheckpointSigner Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads the PKCS#8 PEM key at <paramref name="path"/>, creating it (readable by the owner only) if it is missing.</summary>
    public static CheckpointSigner LoadOrCreate(string path)
    {
        var key = ECDsa.Create();
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            return new CheckpointSigner(key);
        }

        key.GenerateKey(ECCurve.NamedCurves.nistP256);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new StreamWriter(path, Encoding.ASCII, options))
            file.Write(key.ExportPkcs8PrivateKeyPem());
        return new CheckpointSigner(key);
    }

    public static string KeyIdOf(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo))[..16];

    public SignedCheckpoint Sign(long seq, string hash, DateTimeOffset signedAt) =>
        new(seq, hash, signedAt, KeyId, Convert.ToBase64String(_key.SignData(SignedCheckpoint.Message(seq, hash, signedAt), HashAlgorithmName.SHA256)));

    public void Dispose() => _key.Dispose();
}

/// <summary>The public keys a verifier trusts, by key id.</summary>
public sealed class TrustedCheckpointKeys
{
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public TrustedCheckpointKeys(IEnumerable<byte[]> subjectPublicKeyInfos)
    {
        foreach (var key in subjectPublicKeyInfos)
            _keys[CheckpointSigner.KeyIdOf(key)] = key;
    }

    public bool IsValid(SignedCheckpoint checkpoint)
    {
        if (!_keys.TryGetValue(checkpoint.KeyId, out var publicKey))
            return false;
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(publicKey, out _);
        try
        {
            return key.VerifyData(checkpoint.SignedBytes(), Convert.FromBase64String(checkpoint.Signature), HashAlgorithmName.SHA256);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(SignedCheckpoint))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class AuditChainJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
