using Chronicle.ServiceDefaults;
using System.Security.Cryptography;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Identity.Schema;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;

namespace Chronicle.Identity.Keys;

/// <summary>
/// The keys that protect Identity's tokens, persisted in its database so tokens outlive a restart.
///
/// Rotation never breaks a token already issued: the next signing key is published in the JWKS (pending) before it
/// signs anything, so services have it before its first token arrives; on rotation it becomes the signing key and
/// the old one is retired but stays published until every token it signed has expired (the longest token lifetime).
/// Keys rotate when the active one is older than <see cref="IdentityServiceOptions.SigningKeyLifetime"/>, or on demand.
///
/// The private material is stored encrypted with data protection (purpose <see cref="ProtectionPurpose"/>), whose key
/// ring is in the same database and is itself encrypted with the key-encryption certificate when one is configured.
/// Keys that cannot be decrypted stop the service from starting: making new ones would invalidate every token issued.
/// </summary>
public sealed partial class SigningKeyRing(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<IdentityServiceOptions> options, ServerOptionsChangeSignal changes,
    IDataProtectionProvider dataProtection, ILogger<SigningKeyRing> logger)
{
    public const string ProtectionPurpose = "Chronicle.Identity.SigningKeys.v1";
    private const string KeyRingLock = "signing-keys";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(ProtectionPurpose);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile KeySet? _current;

    /// <summary>Signing credentials in order of use: the active key first, then the pending one, then retired ones.</summary>
    public IReadOnlyList<SigningCredentials> SigningCredentials => Current.Signing;

    public EncryptingCredentials EncryptionCredentials => Current.Encryption;

    /// <summary>The key id new tokens are signed with.</summary>
    public string ActiveKeyId => Current.Signing[0].Key.KeyId;

    private KeySet Current => _current ?? throw new InvalidOperationException("The signing key ring has not been loaded.");

    /// <summary>Loads the keys, creating the first ones, rotating when the active key is due, dropping expired retired keys.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IdentityDataProtection.Touch(dataProtection);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            // Replicas share the keys: one at a time creates, rotates or drops them, so there is never a second active key.
            await using var transaction = await IdentityDatabase.BeginLockedAsync(db, KeyRingLock, cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var keys = await db.SigningKeys.ToListAsync(cancellationToken).ConfigureAwait(false);
            var settings = options.Value;
            // Rows from before encryption at rest, and rows encrypted under a data-protection key that is no longer
            // the default (so an old key-encryption certificate can be retired), are encrypted afresh.
            var stale = 0;
            foreach (var key in keys)
            {
                var (material, needsProtecting) = Open(key);
                if (!needsProtecting)
                    continue;
                key.KeyMaterial = _protector.Protect(material);
                key.Protected = true;
                stale++;
            }

            if (stale > 0)
                LogKeysProtectedAfresh(logger, stale);

            if (!keys.Any(k => k.Use == SigningKey.Encryption))
                keys.Add(Add(db, NewEncryptionKey(now)));
            var active = keys.SingleOrDefault(k => k.Use == SigningKey.Signing && k.ActivatedAt is not null && k.RetiredAt is null);
            var pending = keys.SingleOrDefault(k => k.Use == SigningKey.Signing && k.ActivatedAt is null);
            if (active is null)
            {
                active = pending ?? Add(db, NewSigningKey(now));
                active.ActivatedAt = now;
                keys.Add(active);
                pending = null;
            }
            else if (now - active.ActivatedAt >= settings.SigningKeyLifetime && pending is not null)
            {
                active.RetiredAt = now;
                pending.ActivatedAt = now;
                active = pending;
                pending = null;
            }

            if (pending is null)
                keys.Add(Add(db, NewSigningKey(now)));

            foreach (var expired in keys.Where(k => k.RetiredAt is { } retired && now - retired > settings.LongestTokenLifetime).ToList())
            {
                db.SigningKeys.Remove(expired);
                keys.Remove(expired);
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Publish(keys.Distinct().ToList());
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The pending key starts signing now; the active one retires (still published until its tokens expire).</summary>
    public async Task RotateAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IdentityDataProtection.Touch(dataProtection);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            await using var transaction = await IdentityDatabase.BeginLockedAsync(db, KeyRingLock, cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var keys = await db.SigningKeys.Where(k => k.Use == SigningKey.Signing).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var active in keys.Where(k => k.ActivatedAt is not null && k.RetiredAt is null))
                active.RetiredAt = now;
            var next = keys.FirstOrDefault(k => k.ActivatedAt is null) ?? Add(db, NewSigningKey(now));
            next.ActivatedAt = now;
            Add(db, NewSigningKey(now));
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        await LoadAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Publish(List<SigningKey> keys)
    {
        var signing = keys.Where(k => k.Use == SigningKey.Signing)
            .OrderBy(k => k.RetiredAt is not null ? 2 : k.ActivatedAt is null ? 1 : 0)
            .ThenByDescending(k => k.CreatedAt)
            .Select(ToSigningCredentials)
            .ToList();
        var encryption = keys.Single(k => k.Use == SigningKey.Encryption);
        var previous = _current;
        _current = new KeySet(signing, new EncryptingCredentials(
            new SymmetricSecurityKey(Reveal(encryption)) { KeyId = encryption.KeyId },
            SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
        if (previous is null || !previous.Signing.Select(c => c.Key.KeyId).SequenceEqual(signing.Select(c => c.Key.KeyId)))
            changes.Raise();
    }

    private SigningCredentials ToSigningCredentials(SigningKey key)
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Reveal(key), out _);
        return new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = key.KeyId }, SecurityAlgorithms.RsaSha256);
    }

    private static SigningKey Add(IdentityDbContext db, SigningKey key)
    {
        db.SigningKeys.Add(key);
        return key;
    }

    private SigningKey NewSigningKey(DateTimeOffset now)
    {
        using var rsa = RSA.Create(2048);
        return new SigningKey
        {
            KeyId = NewKeyId(), Use = SigningKey.Signing, KeyMaterial = _protector.Protect(rsa.ExportPkcs8PrivateKey()), Protected = true, CreatedAt = now,
        };
    }

    private SigningKey NewEncryptionKey(DateTimeOffset now) => new()
    {
        KeyId = NewKeyId(), Use = SigningKey.Encryption, KeyMaterial = _protector.Protect(RandomNumberGenerator.GetBytes(32)), Protected = true, CreatedAt = now,
    };

    private byte[] Reveal(SigningKey key) => Open(key).Material;

    /// <returns>The key in clear, and whether it is stored in clear or under a data-protection key that is not the default.</returns>
    private (byte[] Material, bool NeedsProtecting) Open(SigningKey key)
    {
        if (!key.Protected)
            return (key.KeyMaterial, true);
        try
        {
            var material = ((IPersistedDataProtector)_protector).DangerousUnprotect(
                key.KeyMaterial, ignoreRevocationErrors: false, out var requiresMigration, out _);
            return (material, requiresMigration);
        }
        catch (CryptographicException e)
        {
            throw new ServiceConfigurationException(
                $"Identity cannot decrypt its stored token key {key.KeyId}: {IdentityDataProtection.UnreadableKeyRingAdvice}", e);
        }
    }

    private static string NewKeyId() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Encrypted {Count} token key(s) afresh: stored in clear, or under a data-protection key that is no longer the default")]
    private static partial void LogKeysProtectedAfresh(ILogger logger, int count);

    private sealed record KeySet(IReadOnlyList<SigningCredentials> Signing, EncryptingCredentials Encryption);
}

/// <summary>Tells OpenIddict to rebuild its options (keys, issuer) when they change: the framework's options change-token seam.</summary>
public sealed class ServerOptionsChangeSignal
{
    private CancellationTokenSource _source = new();

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _source).Token);

    public void Raise()
    {
        var previous = Interlocked.Exchange(ref _source, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }
}
