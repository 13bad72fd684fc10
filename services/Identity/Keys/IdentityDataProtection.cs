using Chronicle.Identity.Directory;
using Chronicle.Identity.Schema;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Chronicle.Identity.Keys;

/// <summary>
/// ASP.NET Core data protection for Identity (login cookies, antiforgery tokens, the signing keys at rest): its key ring
/// lives in Identity's database under one application name, so every replica reads and writes the same keys.
/// </summary>
public static class IdentityDataProtection
{
    /// <summary>The same on every replica and every release: payloads protected under another name cannot be read.</summary>
    public const string ApplicationName = "chronicle-identity";

    public static IServiceCollection AddIdentityDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<IdentityDbContext>();
        return services;
    }

    /// <summary>
    /// Makes sure the key ring has a key before the service answers anyone: on PostgreSQL under a database lock, so
    /// replicas starting together make one key, not one each.
    /// </summary>
    public static async Task EnsureKeyAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        // On SQLite the lock is the write lock, which data protection's own connection would wait on: one process owns a SQLite file.
        await using var transaction = db.Database.IsNpgsql()
            ? await IdentityDatabase.BeginLockedAsync(db, "data-protection", cancellationToken).ConfigureAwait(false)
            : null;
        Touch(services.GetRequiredService<IDataProtectionProvider>());
    }

    /// <summary>Protects nothing of value, so that a key the ring is due to make is made now, outside any transaction.</summary>
    public static void Touch(IDataProtectionProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        provider.CreateProtector("Chronicle.Identity.KeyRingCheck").Protect([0]);
    }
}
