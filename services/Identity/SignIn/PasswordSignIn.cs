using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chronicle.Identity.SignIn;

/// <summary>
/// Checks a user name and password. Failures in a row lock the account for a while for the addresses that failed
/// (<see cref="SignInThrottle"/>); an address that keeps failing must wait longer and longer between attempts. Every
/// failing case gets the same answer after the same work: the password is verified against a hash whatever happens
/// next (a decoy hash when there is no such account), so neither an unknown nor a locked account answers faster.
/// </summary>
public sealed class PasswordSignIn(
    IdentityDbContext db, IPasswordHasher<Account> hasher, SignInThrottle throttle, TimeProvider time, IOptions<IdentityServiceOptions> options)
{
    private static readonly Lazy<string> DecoyHash = new(() => new PasswordHasher<Account>().HashPassword(null!, "decoy"));

    /// <param name="source">The client address the attempt comes from.</param>
    public async Task<Account?> SignInAsync(string userName, string password, string source, CancellationToken cancellationToken)
    {
        var name = DirectoryService.Normalise(userName);
        var account = await db.Accounts.FirstOrDefaultAsync(a => a.UserName == name, cancellationToken).ConfigureAwait(false);
        var verdict = account is null
            ? hasher.VerifyHashedPassword(null!, DecoyHash.Value, password)
            : hasher.VerifyHashedPassword(account, account.PasswordHash, password);

        if (throttle.MustWait(source))
            return null;
        if (account is null)
        {
            throttle.RecordFailure(source, null);
            return null;
        }

        var now = time.GetUtcNow();
        if (verdict == PasswordVerificationResult.Failed)
        {
            await RecordFailureAsync(account.Id, now, cancellationToken).ConfigureAwait(false);
            throttle.RecordFailure(source, account.Id);
            return null;
        }

        // The right password, but from an address that has been failing against this locked account: still refused.
        if (IsLockedOut(account, now) && throttle.HasFailedAgainst(account.Id, source))
            return null;

        account.FailedSignIns = 0;
        account.LockedOutUntil = null;
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
            account.PasswordHash = hasher.HashPassword(account, password);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        throttle.RecordSuccess(source, account.Id);
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
