using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chronicle.Identity.SignIn;

/// <summary>
/// Checks a user name and password. Failures in a row lock the account for a while; a locked account fails
/// even with the right password, and the caller is told the same thing in every failing case.
/// </summary>
public sealed class PasswordSignIn(IdentityDbContext db, IPasswordHasher<Account> hasher, TimeProvider time, IOptions<IdentityServiceOptions> options)
{
    // Verifying against a real hash when the user is unknown keeps the answer as slow as for a known user.
    private static readonly Lazy<string> DecoyHash = new(() => new PasswordHasher<Account>().HashPassword(null!, "decoy"));

    public async Task<Account?> SignInAsync(string userName, string password, CancellationToken cancellationToken)
    {
        var name = DirectoryService.Normalise(userName);
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.UserName == name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            hasher.VerifyHashedPassword(null!, DecoyHash.Value, password);
            return null;
        }

        var now = time.GetUtcNow();
        if (account.LockedOutUntil > now)
            return null;

        var verdict = hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            await RecordFailureAsync(account.Id, now, cancellationToken).ConfigureAwait(false);
            return null;
        }

        account.FailedSignIns = 0;
        account.LockedOutUntil = null;
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            account.PasswordHash = hasher.HashPassword(account, password);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return account;
    }

    public static bool IsLockedOut(Account account, DateTimeOffset now) => account.LockedOutUntil > now;

    private async Task RecordFailureAsync(Guid accountId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Counted in the database, so concurrent failures are all counted.
        var settings = options.Value;
        await db.Accounts.Where(a => a.Id == accountId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.FailedSignIns, a => a.FailedSignIns + 1), cancellationToken).ConfigureAwait(false);
        await db.Accounts.Where(a => a.Id == accountId && a.FailedSignIns >= settings.MaxFailedSignIns)
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.FailedSignIns, 0)
                .SetProperty(a => a.LockedOutUntil, now + settings.LockoutDuration), cancellationToken).ConfigureAwait(false);
    }
}
