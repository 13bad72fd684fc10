using System.Net;
using Chronicle.Identity.Hosting;
using Chronicle.Security;

namespace Chronicle.Identity.Tests;

/// <summary>Lockout after failed sign-ins, and the rate limit on the token endpoint.</summary>
public sealed class LoginSafetyTests
{
    [Fact]
    public async Task GivenRepeatedWrongPasswords_WhenTheRightOneFollows_ThenTheAccountIsLockedAndOthersAreNot()
    {
        await using var identity = await IdentityInstance.StartAsync(new Dictionary<string, string?>
        {
            ["Chronicle:Identity:MaxFailedSignIns"] = "3",
        });
        var oauth = new OAuthTestClient(identity.Http);
        var victim = DemoDirectory.StaffUserName(StaffRoles.Gp, DemoDirectory.PracticeA);
        var bystander = DemoDirectory.StaffUserName(StaffRoles.Nurse, DemoDirectory.PracticeA);

        for (var attempt = 0; attempt < 3; attempt++)
            Assert.Null((await oauth.SignInAsync(victim, $"guess-{attempt}", "openid")).Code);
        var rightPassword = await oauth.SignInAsync(victim, DemoDirectory.Password, "openid");
        var otherAccount = await oauth.SignInAsync(bystander, DemoDirectory.Password, "openid");

        Assert.Null(rightPassword.Code);
        Assert.Contains(LoginPageFailureText, rightPassword.LastPage, StringComparison.Ordinal);
        Assert.NotNull(otherAccount.Code);
    }

    [Fact]
    public async Task GivenALockedAccount_WhenTheLockoutEnds_ThenTheRightPasswordWorksAgain()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var identity = await IdentityInstance.StartAsync(new Dictionary<string, string?>
        {
            ["Chronicle:Identity:MaxFailedSignIns"] = "2",
            ["Chronicle:Identity:LockoutDuration"] = "00:10:00",
        }, clock: clock);
        var oauth = new OAuthTestClient(identity.Http);

        await oauth.SignInAsync(DemoDirectory.PatientUserName, "wrong-1", "openid");
        await oauth.SignInAsync(DemoDirectory.PatientUserName, "wrong-2", "openid");
        var whileLocked = await oauth.SignInAsync(DemoDirectory.PatientUserName, DemoDirectory.Password, "openid");
        clock.Advance(TimeSpan.FromMinutes(11));
        var afterwards = await oauth.SignInAsync(DemoDirectory.PatientUserName, DemoDirectory.Password, "openid");

        Assert.Null(whileLocked.Code);
        Assert.NotNull(afterwards.Code);
    }

    [Fact]
    public async Task GivenManyTokenRequestsFromOneAddress_WhenTheLimitIsPassed_ThenTheTokenEndpointAnswers429()
    {
        await using var identity = await IdentityInstance.StartAsync(new Dictionary<string, string?>
        {
            ["Chronicle:Identity:TokenRequestsPerWindow"] = "3",
            ["Chronicle:Identity:TokenRequestWindow"] = "01:00:00",
        });
        var oauth = new OAuthTestClient(identity.Http);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
            statuses.Add((await oauth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret)).Status);
        using var http = new HttpClient();
        using var discovery = await http.GetAsync(new Uri(identity.Http, ".well-known/openid-configuration"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            statuses);
        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
    }

    private const string LoginPageFailureText = "Sign-in failed";
}
