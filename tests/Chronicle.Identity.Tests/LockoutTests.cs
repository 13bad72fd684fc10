using System.Net;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Identity.Tests;

/// <summary>
/// Lockout cannot be used to deny service, and no failing answer does less work than another. Two client addresses are
/// two loopback addresses: the attacker connects from 127.0.0.2, the account's owner from 127.0.0.1.
/// </summary>
public sealed class LockoutTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Owner = IPAddress.Loopback;

    [Fact]
    public async Task GivenAnAccountLockedByAnotherAddress_WhenItsOwnerSignsIn_ThenTheOwnerGetsInAndTheFailingAddressDoesNot()
    {
        await using var identity = await IdentityInstance.StartAsync();
        var oauth = new OAuthTestClient(identity.Http);
        var victim = DemoDirectory.StaffUserName(StaffRoles.Gp, DemoDirectory.PracticeA);

        for (var attempt = 0; attempt < 5; attempt++)
            Assert.Null((await oauth.SignInAsync(victim, $"guess-{attempt}", "openid", from: Attacker)).Code);
        var attackerWithThePassword = await oauth.SignInAsync(victim, DemoDirectory.Password, "openid", from: Attacker);
        var owner = await oauth.SignInAsync(victim, DemoDirectory.Password, "openid", from: Owner);

        Assert.Null(attackerWithThePassword.Code);
        Assert.NotNull(owner.Code);
    }

    [Fact]
    public async Task GivenAnAddressThatKeepsFailing_WhenItTriesAgain_ThenItWaitsLongerEachTimeAndOtherAddressesDoNot()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var identity = await IdentityInstance.StartAsync(new Dictionary<string, string?>
        {
            ["Chronicle:Identity:SignInFailuresBeforeDelay"] = "2",
            ["Chronicle:Identity:SignInFirstDelay"] = "00:01:00",
            ["Chronicle:Identity:LockoutDuration"] = "01:00:00",
        }, clock: clock);
        var oauth = new OAuthTestClient(identity.Http);
        var user = DemoDirectory.StaffUserName(StaffRoles.Nurse, DemoDirectory.PracticeA);

        for (var attempt = 0; attempt < 3; attempt++)
            await oauth.SignInAsync($"nobody-{attempt}", "guess", "openid", from: Attacker);
        var waitingForAMinute = await oauth.SignInAsync(user, DemoDirectory.Password, "openid", from: Attacker);
        var otherAddress = await oauth.SignInAsync(user, DemoDirectory.Password, "openid", from: Owner);
        clock.Advance(TimeSpan.FromSeconds(61));
        await oauth.SignInAsync("nobody-3", "guess", "openid", from: Attacker); // the fourth failure: two minutes now
        clock.Advance(TimeSpan.FromSeconds(61));
        var stillWaiting = await oauth.SignInAsync(user, DemoDirectory.Password, "openid", from: Attacker);
        clock.Advance(TimeSpan.FromSeconds(60));
        var heardAgain = await oauth.SignInAsync(user, DemoDirectory.Password, "openid", from: Attacker);

        Assert.Null(waitingForAMinute.Code);
        Assert.NotNull(otherAddress.Code);
        Assert.Null(stillWaiting.Code);
        Assert.NotNull(heardAgain.Code);
    }

    [Fact]
    public async Task GivenUnknownLockedOrThrottledSignIns_WhenTheyAreRefused_ThenEachStillVerifiedAPasswordHash()
    {
        var hasher = new CountingHasher();
        await using var identity = await IdentityInstance.StartAsync(new Dictionary<string, string?>
        {
            ["Chronicle:Identity:MaxFailedSignIns"] = "2",
            ["Chronicle:Identity:SignInFailuresBeforeDelay"] = "3",
            ["Chronicle:Identity:SignInFirstDelay"] = "01:00:00",
        }, services: s => s.AddSingleton<IPasswordHasher<Account>>(hasher));
        var oauth = new OAuthTestClient(identity.Http);
        var patient = DemoDirectory.PatientUserName;

        async Task<int> VerificationsDuring(Func<Task> signIn)
        {
            var before = hasher.Verifications;
            await signIn();
            return hasher.Verifications - before;
        }

        var unknown = await VerificationsDuring(() => oauth.SignInAsync("no-such-user", "guess", "openid", from: Attacker));
        await oauth.SignInAsync(patient, "wrong-1", "openid", from: Attacker);
        await oauth.SignInAsync(patient, "wrong-2", "openid", from: Attacker);
        var locked = await VerificationsDuring(() => oauth.SignInAsync(patient, DemoDirectory.Password, "openid", from: Attacker));
        await oauth.SignInAsync("no-such-user", "guess", "openid", from: Attacker); // the fourth failure: an hour's wait
        var throttled = await VerificationsDuring(() => oauth.SignInAsync(patient, DemoDirectory.Password, "openid", from: Attacker));
        var known = await VerificationsDuring(() => oauth.SignInAsync(patient, "wrong-3", "openid", from: Owner));

        Assert.Equal([1, 1, 1, 1], new[] { unknown, locked, throttled, known });
    }

    /// <summary>The real hasher, counting its verifications.</summary>
    private sealed class CountingHasher : IPasswordHasher<Account>
    {
        private readonly PasswordHasher<Account> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(Account user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(Account user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
