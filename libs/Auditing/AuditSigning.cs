using System.Security.Cryptography;
using System.Text;

namespace Chronicle.Auditing;

/// <summary>An emitter's signature over an audit entry: which key (<see cref="AuditSigningKey.KeyIdOf"/>) and the signature, base64.</summary>
public sealed record AuditEntrySignature(string KeyId, string Value);

/// <summary>An audit entry with its emitter's signature: the only form in which an entry can be chained.</summary>
public sealed record SignedAuditEntry(AuditEntry Entry, AuditEntrySignature Signature);

/// <summary>
/// A service's private key for signing its audit entries (ECDSA P-256, SHA-256, IEEE P1363 signatures). The signed bytes
/// are a fixed prefix followed by the entry's canonical form (<see cref="AuditCanonicalForm"/>), so the signature covers
/// exactly the bytes the chain hashes. The key id is the first 16 hex digits of the SHA-256 of the public key
/// (SubjectPublicKeyInfo), as for the Audit service's checkpoint keys.
/// </summary>
public sealed class AuditSigningKey : IDisposable
{
    private static readonly byte[] Prefix = "chronicle-audit-entry/v1\n"u8.ToArray();
    private readonly ECDsa _key;
    private readonly Lock _signing = new();

    public AuditSigningKey(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!IsP256(key))
            throw new CryptographicException("An audit signing key must be an ECDSA P-256 key.");
        _key = key;
        PublicKey = key.ExportSubjectPublicKeyInfo();
        KeyId = KeyIdOf(PublicKey);
    }

    /// <summary>SubjectPublicKeyInfo (DER).</summary>
    public byte[] PublicKey { get; }

    public string KeyId { get; }

    public string PublicKeyPem => new string(PemEncoding.Write("PUBLIC KEY", PublicKey)) + "\n";

    public static AuditSigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>A private key from PEM text (PKCS#8 or SEC 1 EC).</summary>
    /// <exception cref="CryptographicException">The text holds no usable P-256 private key.</exception>
    public static AuditSigningKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            // A public key alone imports too, but cannot sign.
            _ = key.ExportParameters(includePrivateParameters: true);
            return new AuditSigningKey(key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new CryptographicException($"No ECDSA P-256 private key in PEM form: {e.Message}", e);
        }
    }

    /// <summary>
    /// Loads the PKCS#8 PEM key at <paramref name="path"/>, or creates it once (the file and its public half readable by the
    /// owner only, the folder too when this creates it).
    /// </summary>
    public static AuditSigningKey LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
            return FromPem(File.ReadAllText(path));
        var key = Generate();
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(folder);
            else
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        WriteOwnerOnly(path, key._key.ExportPkcs8PrivateKeyPem() + "\n");
        WriteOwnerOnly(PublicKeyPathFor(path), key.PublicKeyPem);
        return key;
    }

    /// <summary>Where <see cref="LoadOrCreate"/> puts the public half of the key at <paramref name="privateKeyPath"/>: <c>x.pem</c> gives <c>x.pub.pem</c>.</summary>
    public static string PublicKeyPathFor(string privateKeyPath) =>
        Path.ChangeExtension(privateKeyPath ?? throw new ArgumentNullException(nameof(privateKeyPath)), null) + ".pub.pem";

    internal static bool IsP256(ECDsa key) =>
        key.ExportParameters(includePrivateParameters: false).Curve.Oid?.Value == ECCurve.NamedCurves.nistP256.Oid.Value;

    public static string KeyIdOf(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo))[..16];

    /// <summary>What is signed for <paramref name="entry"/>: the prefix and the entry's canonical bytes.</summary>
    public static byte[] SignedBytes(AuditEntry entry) => [.. Prefix, .. AuditCanonicalForm.ToBytes(entry)];

    public SignedAuditEntry Sign(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var bytes = SignedBytes(entry);
        byte[] signature;
        // One key object serves every request thread; platform crypto objects are not documented as thread-safe.
        lock (_signing)
            signature = _key.SignData(bytes, HashAlgorithmName.SHA256);
        return new SignedAuditEntry(entry, new AuditEntrySignature(KeyId, Convert.ToBase64String(signature)));
    }

    public void Dispose() => _key.Dispose();

    private static void WriteOwnerOnly(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var file = new StreamWriter(path, Encoding.ASCII, options);
        file.Write(text);
    }
}

/// <summary>
/// The emitters the Audit service (and its verifier) trusts: each public key with the one service that owns it. An entry
/// is accepted only when it carries a signature by a known key, the key belongs to the service the entry names, and the
/// signature verifies over the entry's canonical bytes.
/// </summary>
public sealed class AuditEmitterKeys
{
    private readonly Dictionary<string, (string Service, byte[] PublicKey)> _keys = new(StringComparer.Ordinal);

    public IEnumerable<string> Services => _keys.Values.Select(k => k.Service).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    public int Count => _keys.Count;

    /// <summary>Trusts <paramref name="subjectPublicKeyInfo"/> for <paramref name="service"/>.</summary>
    /// <exception cref="ArgumentException">The same key is already trusted for another service: a key has one owner.</exception>
    public AuditEmitterKeys Add(string service, byte[] subjectPublicKeyInfo)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentNullException.ThrowIfNull(subjectPublicKeyInfo);
        using (var check = ECDsa.Create())
        {
            check.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
            if (!AuditSigningKey.IsP256(check))
                throw new ArgumentException($"The key for '{service}' is not an ECDSA P-256 key.", nameof(subjectPublicKeyInfo));
        }

        var keyId = AuditSigningKey.KeyIdOf(subjectPublicKeyInfo);
        if (_keys.TryGetValue(keyId, out var existing) && existing.Service != service)
            throw new ArgumentException($"Key {keyId} is configured for both '{existing.Service}' and '{service}'; a key belongs to one service.",
                nameof(service));
        _keys[keyId] = (service, subjectPublicKeyInfo);
        return this;
    }

    /// <summary>
    /// The public keys in <paramref name="pemOrPath"/>: PEM text, or the path of a PEM file, holding one or more
    /// <c>PUBLIC KEY</c> blocks (a private key's public half is taken too, so a service's own key file will do).
    /// </summary>
    /// <exception cref="FormatException">No key can be read from it.</exception>
    public static IReadOnlyList<byte[]> ReadPublicKeys(string pemOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pemOrPath);
        string text;
        try
        {
            text = pemOrPath.Contains("-----BEGIN", StringComparison.Ordinal) ? pemOrPath : File.ReadAllText(pemOrPath.Trim());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new FormatException($"Cannot read the key file '{pemOrPath.Trim()}': {e.Message}", e);
        }

        var keys = new List<byte[]>();
        var rest = text.AsMemory();
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var block = rest[fields.Location];
            rest = rest[fields.Location.End..];
            using var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(block.Span);
                keys.Add(key.ExportSubjectPublicKeyInfo());
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                throw new FormatException($"A PEM block ({block.Span[..Math.Min(40, block.Length)]}...) is not an ECDSA P-256 key: {e.Message}", e);
            }
        }

        return keys.Count > 0 ? keys : throw new FormatException("No PEM-encoded public key was found.");
    }

    /// <summary>Null when <paramref name="signature"/> is a valid signature over <paramref name="entry"/> by a key of the entry's service; else why not.</summary>
    public string? Check(AuditEntry entry, AuditEntrySignature? signature)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (signature is null || string.IsNullOrEmpty(signature.KeyId) || string.IsNullOrEmpty(signature.Value))
            return $"the entry (service '{entry.Service}') carries no emitter signature";
        if (!_keys.TryGetValue(signature.KeyId, out var owner))
            return $"the entry (service '{entry.Service}') is signed with key {signature.KeyId}, which is not a key of any trusted emitter";
        if (!string.Equals(owner.Service, entry.Service, StringComparison.Ordinal))
            return $"the entry names service '{entry.Service}' but is signed with key {signature.KeyId}, which belongs to '{owner.Service}'";
        byte[] value;
        try
        {
            value = Convert.FromBase64String(signature.Value);
        }
        catch (FormatException)
        {
            return $"the signature of the entry (service '{entry.Service}', key {signature.KeyId}) is not base64";
        }

        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(owner.PublicKey, out _);
        return key.VerifyData(AuditSigningKey.SignedBytes(entry), value, HashAlgorithmName.SHA256)
            ? null
            : $"the signature of the entry (service '{entry.Service}', key {signature.KeyId}) does not verify: the entry was altered after signing, or forged";
    }
}
