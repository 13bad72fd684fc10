using System.Net;
using System.Net.Http.Json;
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

    [Fact]
    public async Task GivenTheTokenEndpointSpelledWithATrailingSlashOrInCapitals_WhenTheLimitIsPassed_ThenItAnswers429AllTheSame()
    {
        await using var identity = await IdentityInstance.StartAsync(new Dictionary<string, string?>
        {
            ["Chronicle:Identity:TokenRequestsPerWindow"] = "3",
            ["Chronicle:Identity:TokenRequestWindow"] = "01:00:00",
        });
        var oauth = new OAuthTestClient(identity.Http);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = DemoDirectory.ModuleClientId, ["client_secret"] = DemoDirectory.ModuleSecret,
        };

        var statuses = new List<HttpStatusCode>();
        foreach (var path in new[] { "connect/token/", "connect/token/", "CONNECT/TOKEN", "connect/token/", "Connect/Token/", "connect/token" })
            statuses.Add((await oauth.PostTokenAsync(form, path)).Status);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses[..3]);
        Assert.All(statuses[3..], s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }

    [Fact]
    public async Task GivenTheLoginFormPostedWithATrailingSlash_WhenTheLimitIsPassed_ThenItAnswers429()
    {
        await using var identity = await IdentityInstance.StartAsync(new Dictionary<string, string?>
        {
            ["Chronicle:Identity:TokenRequestsPerWindow"] = "3",
            ["Chronicle:Identity:TokenRequestWindow"] = "01:00:00",
        });
        using var http = new HttpClient();

        var statuses = new List<HttpStatusCode>();
        foreach (var path in new[] { "account/login/", "account/login/", "ACCOUNT/LOGIN", "account/login/", "Account/Login/" })
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "someone", ["password"] = "guess" });
            using var response = await http.PostAsync(new Uri(identity.Http, path), form);
            statuses.Add(response.StatusCode);
        }

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses[..3]);
        Assert.All(statuses[3..], s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }

    [Fact]
    public async Task GivenWrongSecretsForOneModule_WhenItsFailureBudgetIsSpent_ThenThatClientIsRefusedAndOthersAreNot()
    {
        await using var identity = await IdentityInstance.StartAsync(new Dictionary<string, string?>
        {
            ["Chronicle:Identity:ClientSecretFailuresPerWindow"] = "3",
            ["Chronicle:Identity:ClientSecretFailureWindow"] = "01:00:00",
        });
        var oauth = new OAuthTestClient(identity.Http);
        using var http = new HttpClient();
        using var registered = await http.PostAsJsonAsync(new Uri(identity.Http, "modules"), new { name = "Other module", scope = "system/Patient.rs" });
        var other = await registered.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();

        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
            guesses.Add((await oauth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, $"guess-{i}")).Status);
        var rightSecretAfterwards = await oauth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret);
        var otherModule = await oauth.ClientCredentialsAsync(other.GetProperty("clientId").GetString()!, other.GetProperty("clientSecret").GetString()!);

        Assert.All(guesses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, rightSecretAfterwards.Status);
        Assert.Equal(HttpStatusCode.OK, otherModule.Status);
    }

    private const string LoginPageFailureText = "Sign-in failed";
}
