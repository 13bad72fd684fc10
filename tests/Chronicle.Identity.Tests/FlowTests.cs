using System.Text.Json;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Chronicle.Identity.Tests;

/// <summary>The OAuth flows over real HTTP, as a supplier module and a partner UI run them.</summary>
[Collection(SecurityCollection.Name)]
public sealed class FlowTests(SecurityFixture fixture)
{
    [Fact]
    public async Task GivenAModule_WhenItUsesClientCredentials_ThenItGetsAShortLivedSignedTokenForChronicleWithItsScopes()
    {
        var response = await fixture.OAuth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret, "system/Patient.rs");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.Status);
        Assert.Equal("Bearer", response.Body.GetProperty("token_type").GetString());
        var token = new JsonWebToken(response.AccessToken);
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal(fixture.Identity.Issuer.AbsoluteUri, token.Issuer);
        Assert.Equal(["chronicle"], token.Audiences);
        Assert.Equal(DemoDirectory.ModuleClientId, token.GetClaim("client_id").Value);
        Assert.Equal(DemoDirectory.ModuleClientId, token.Subject);
        Assert.Equal("system/Patient.rs", token.GetClaim("scope").Value);
        Assert.Null(response.RefreshToken);
    }

    [Fact]
    public async Task GivenAModule_WhenItsSecretIsWrong_ThenNoTokenIsIssued()
    {
        var response = await fixture.OAuth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, "not-the-secret");

        Assert.Equal("invalid_client", response.Error);
    }

    [Fact]
    public async Task GivenStaff_WhenTheySignInThroughThePartnerUi_ThenTheTokenCarriesTheirRolePracticeAndGrantedScopes()
    {
        var response = await fixture.OAuth.AuthorizationCodeAsync(
            DemoDirectory.StaffUserName(StaffRoles.Receptionist, DemoDirectory.PracticeA), DemoDirectory.Password,
            "openid offline_access user/Patient.rs user/Observation.rs");

        var token = new JsonWebToken(response.AccessToken);
        Assert.Equal(StaffRoles.Receptionist, token.GetClaim("role").Value);
        Assert.Equal(DemoDirectory.PracticeA, token.GetClaim("org").Value);
        Assert.Equal(DemoDirectory.PartnerUiClientId, token.GetClaim("client_id").Value);
        // A receptionist may read patients but not observations: that scope is dropped, not granted.
        Assert.Equal(["offline_access", "openid", "user/Patient.rs"], token.GetClaim("scope").Value.Split(' ').Order());
        Assert.NotNull(response.IdToken);
        Assert.NotNull(response.RefreshToken);
    }

    [Fact]
    public async Task GivenAPatient_WhenTheySignIn_ThenTheTokenNamesTheirRecord()
    {
        var response = await fixture.OAuth.AuthorizationCodeAsync(DemoDirectory.PatientUserName, DemoDirectory.Password, "openid patient/*.rs user/*.rs");

        var token = new JsonWebToken(response.AccessToken);
        Assert.Equal(DemoDirectory.PatientId.ToString(), token.GetClaim("patient").Value);
        Assert.False(token.TryGetClaim("role", out _));
        Assert.Equal(["openid", "patient/*.rs"], token.GetClaim("scope").Value.Split(' ').Order());
    }

    [Fact]
    public async Task GivenARefreshToken_WhenItIsRedeemed_ThenANewWorkingAccessTokenAndANewRefreshTokenArrive()
    {
        var first = await fixture.OAuth.AuthorizationCodeAsync(
            DemoDirectory.StaffUserName(StaffRoles.Nurse, DemoDirectory.PracticeA), DemoDirectory.Password, "openid offline_access user/Patient.rs");

        var refreshed = await fixture.OAuth.RefreshAsync(DemoDirectory.PartnerUiClientId, first.RefreshToken!);
        var result = await ProtectedEndpoints.CallAsync(Endpoint.FhirReadPatient, fixture, refreshed.AccessToken, fixture.PatientAtA);

        Assert.Equal(System.Net.HttpStatusCode.OK, refreshed.Status);
        Assert.NotEqual(first.AccessToken, refreshed.AccessToken);
        Assert.NotNull(refreshed.RefreshToken);
        Assert.Equal(200, result.Status);
    }

    [Fact]
    public async Task GivenAnAuthorizationRequestWithoutPkce_WhenSent_ThenItIsRefused()
    {
        var outcome = await fixture.OAuth.SignInAsync(DemoDirectory.PatientUserName, DemoDirectory.Password, "openid", withPkce: false);

        // OpenIddict shows the error itself rather than send it to a redirect URI it has not validated.
        Assert.Null(outcome.Code);
        Assert.Contains("error:invalid_request", outcome.LastPage, StringComparison.Ordinal);
        Assert.Contains("code_challenge", outcome.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenACodeRedeemedWithTheWrongVerifier_WhenExchanged_ThenNoTokenIsIssued()
    {
        var outcome = await fixture.OAuth.SignInAsync(DemoDirectory.PatientUserName, DemoDirectory.Password, "openid");

        var response = await fixture.OAuth.PostTokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = DemoDirectory.PartnerUiClientId, ["code"] = outcome.Code!,
            ["redirect_uri"] = OAuthTestClient.RedirectUri, ["code_verifier"] = new string('x', 50),
        });

        Assert.Equal("invalid_grant", response.Error);
    }

    [Fact]
    public async Task GivenAWrongPassword_WhenTheLoginFormIsPosted_ThenThePageSaysSignInFailedAndNoCodeIsIssued()
    {
        var outcome = await fixture.OAuth.SignInAsync(DemoDirectory.StaffUserName(StaffRoles.Prescriber, DemoDirectory.PracticeA), "wrong", "openid");

        Assert.Null(outcome.Code);
        Assert.Contains("Sign-in failed", outcome.LastPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheFlowsHaveRun_WhenTheLogsAreRead_ThenNoSecretPasswordOrTokenAppearsInThem()
    {
        var module = await fixture.OAuth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret);
        var user = await fixture.OAuth.AuthorizationCodeAsync(DemoDirectory.PatientUserName, DemoDirectory.Password, "openid offline_access patient/*.rs");
        var refreshed = await fixture.OAuth.RefreshAsync(DemoDirectory.PartnerUiClientId, user.RefreshToken!);
        await ProtectedEndpoints.CallAsync(Endpoint.IdentityAccessCheck, fixture, refreshed.AccessToken, fixture.PatientAtA);
        await fixture.OAuth.SignInAsync(DemoDirectory.PatientUserName, "a-wrong-password-guess", "openid");

        var secrets = new[]
        {
            DemoDirectory.ModuleSecret, DemoDirectory.Password, "a-wrong-password-guess", module.AccessToken, user.AccessToken,
            user.RefreshToken!, user.IdToken!, refreshed.AccessToken, refreshed.RefreshToken!,
        };
        var logs = fixture.Identity.Logs.Entries.ToList();
        Assert.NotEmpty(logs);
        foreach (var secret in secrets)
        {
            // A token's signature alone is enough to replay it.
            var fragment = secret.Contains('.', StringComparison.Ordinal) ? secret.Split('.')[^1] : secret;
            var leak = logs.FirstOrDefault(entry => entry.Contains(fragment, StringComparison.Ordinal));
            Assert.True(leak is null, $"Secret #{Array.IndexOf(secrets, secret)} found in log entry: {leak}");
        }
    }

    [Fact]
    public async Task GivenTheDiscoveryDocument_WhenRead_ThenItNamesTheIssuerKeysAndEndpoints()
    {
        using var http = new HttpClient();
        using var discovery = JsonDocument.Parse(await http.GetStringAsync(new Uri(fixture.Identity.Http, ".well-known/openid-configuration")));
        var jwksUri = new Uri(discovery.RootElement.GetProperty("jwks_uri").GetString()!);
        using var jwks = JsonDocument.Parse(await http.GetStringAsync(jwksUri));

        Assert.Equal(fixture.Identity.Issuer.AbsoluteUri, discovery.RootElement.GetProperty("issuer").GetString());
        Assert.Equal(["S256"], discovery.RootElement.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.True(jwks.RootElement.GetProperty("keys").GetArrayLength() >= 2);
        Assert.All(jwks.RootElement.GetProperty("keys").EnumerateArray(), key => Assert.False(key.TryGetProperty("d", out _)));
    }
}
