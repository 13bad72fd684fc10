using Chronicle.ServiceDefaults;
using System.Net;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Identity.Schema;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;

namespace Chronicle.Identity.Keys;

/// <summary>
/// ASP.NET Core data protection for Identity (login cookies, antiforgery tokens, the signing keys at rest): its key ring
/// lives in Identity's database under one application name, so every replica reads and writes the same keys. With a
/// key-encryption certificate configured (<see cref="KeyEncryptionOptions"/>) the key ring is stored encrypted with it,
/// so the database alone (a backup, a replica, a leaked dump) decrypts nothing.
/// </summary>
public static partial class IdentityDataProtection
{
    /// <summary>The same on every replica and every release: payloads protected under another name cannot be read.</summary>
    public const string ApplicationName = "chronicle-identity";

    public const string UnreadableKeyRingAdvice =
        $"the key-encryption certificate ({KeyEncryptionOptions.Section}:CertificatePath) is missing or is not the one Identity's keys were " +
        "encrypted with. Identity will not start rather than make new keys, which would invalidate every token and sign-in.";

    public static IServiceCollection AddIdentityDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var keyEncryption = configuration.GetSection(KeyEncryptionOptions.Section).Get<KeyEncryptionOptions>() ?? new KeyEncryptionOptions();
        var builder = services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<IdentityDbContext>();
        var certificate = keyEncryption.LoadCertificate();
        if (certificate is not null)
        {
            builder.ProtectKeysWithCertificate(certificate)
                .UnprotectKeysWithAnyCertificate(
                [certificate, .. keyEncryption.Previous.Select((p, i) => p.LoadCertificate($"{KeyEncryptionOptions.Section}:Previous:{i}")!)]);
        }

        services.AddSingleton(keyEncryption);
        return services;
    }

    /// <summary>
    /// Makes sure the key ring has a key before the service answers anyone: on PostgreSQL under a database lock, so
    /// replicas starting together make one key, not one each.
    /// </summary>
    public static async Task EnsureKeyAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Said where it matters: a service reachable beyond this machine (local runs listen on loopback).
        if (services.GetRequiredService<KeyEncryptionOptions>().CertificatePath is not { Length: > 0 }
            && !IPAddress.IsLoopback(services.GetRequiredService<IdentityHostSettings>().ListenAddress))
            LogKeyRingInClear(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IdentityDataProtection)), KeyEncryptionOptions.Section);
        ThrowUnlessEveryKeyInUseIsReadable(services.GetRequiredService<IKeyManager>(), services.GetRequiredService<TimeProvider>());
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        // On SQLite the lock is the write lock, which data protection's own connection would wait on: one process owns a SQLite file.
        await using var transaction = db.Database.IsNpgsql()
            ? await IdentityDatabase.BeginLockedAsync(db, "data-protection", cancellationToken).ConfigureAwait(false)
            : null;
        Touch(services.GetRequiredService<IDataProtectionProvider>());
    }

    /// <summary>
    /// Data protection would quietly add a new key when it cannot decrypt the ones it has, and everything protected
    /// with the old keys would be lost: a key ring it cannot read stops the start instead. Expired keys may be
    /// unreadable (a retired key-encryption certificate): nothing is protected with them any more.
    /// </summary>
    private static void ThrowUnlessEveryKeyInUseIsReadable(IKeyManager keys, TimeProvider time)
    {
        Guid keyId = default;
        try
        {
            foreach (var key in keys.GetAllKeys().Where(k => !k.IsRevoked && k.ExpirationDate > time.GetUtcNow()))
            {
                keyId = key.KeyId;
                _ = key.Descriptor;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ServiceConfigurationException($"Identity cannot decrypt its data-protection key {keyId}: {UnreadableKeyRingAdvice}", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Identity's data-protection key ring, which encrypts its token keys, is stored unencrypted in its database: set {Section}:CertificatePath (and PrivateKeyPath) in production")]
    private static partial void LogKeyRingInClear(ILogger logger, string section);

    /// <summary>Protects nothing of value, so that a key the ring is due to make is made now, outside any transaction.</summary>
    public static void Touch(IDataProtectionProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        provider.CreateProtector("Chronicle.Identity.KeyRingCheck").Protect([0]);
    }
}
