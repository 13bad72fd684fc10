using System.Net;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Chronicle.Testing;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Chronicle.Identity.Tests;

/// <summary>
/// Two Identity replicas over one PostgreSQL database, as behind a load balancer: whichever replica a browser or client
/// reaches next carries on what the other started.
/// </summary>
[Collection(SharedPostgres.Collection)]
public sealed class ReplicaTests : IAsyncLifetime
{
    private const string SharedIssuer = "https://identity.chronicle.test/";
    private IdentityInstance _first = null!;
    private IdentityInstance _second = null!;

    public async Task InitializeAsync()
    {
        var database = await SharedPostgres.CreateDatabaseAsync("identity");
        var settings = new Dictionary<string, string?> { [$"{IdentityServiceOptions.Section}:Issuer"] = SharedIssuer };
        var replicas = await Task.WhenAll(
            IdentityInstance.StartAsync(settings, postgresConnectionString: database),
            IdentityInstance.StartAsync(settings, postgresConnectionString: database));
        (_first, _second) = (replicas[0], replicas[1]);
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    [Fact]
    public async Task GivenTwoReplicas_WhenTheyStart_ThenTheyShareOneDataProtectionKeyRingKeptInTheDatabase()
    {
        await using var scope = _first.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().DataProtectionKeys.CountAsync();

        Assert.IsType<EntityFrameworkCoreXmlRepository<IdentityDbContext>>(
            _first.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository);
        Assert.Equal(1, stored);
        Assert.Equal(KeyIds(_first), KeyIds(_second));
    }

    [Fact]
    public async Task GivenASignInStartedOnOneReplica_WhenTheLoginFormIsPostedToTheOther_ThenTheFlowCompletesAcrossBoth()
    {
        // The login page and its antiforgery cookie come from the first; the second checks them and sets the login
        // cookie; the first reads that cookie and issues the code; the second redeems it.
        var outcome = await new OAuthTestClient(_first.Http).SignInAsync(
            DemoDirectory.StaffUserName(StaffRoles.Gp, DemoDirectory.PracticeA), DemoDirectory.Password, "openid offline_access user/Patient.rs",
            postLoginTo: _second.Http);
        Assert.True(outcome.Code is not null, $"No code; the last page said: {outcome.LastPage}");

        var tokens = await new OAuthTestClient(_second.Http).PostTokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = DemoDirectory.PartnerUiClientId, ["code"] = outcome.Code,
            ["redirect_uri"] = OAuthTestClient.RedirectUri, ["code_verifier"] = outcome.Verifier,
        });

        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        Assert.Equal(DemoDirectory.PracticeA, new JsonWebToken(tokens.AccessToken).GetClaim("org").Value);
    }

    [Fact]
    public async Task GivenARefreshTokenIssuedByOneReplica_WhenRedeemedAtTheOther_ThenNewTokensAreIssuedAndTheOldOneIsSpent()
    {
        var signedIn = await new OAuthTestClient(_first.Http).AuthorizationCodeAsync(
            DemoDirectory.StaffUserName(StaffRoles.Nurse, DemoDirectory.PracticeA), DemoDirectory.Password, "openid offline_access user/Patient.rs");

        var refreshed = await new OAuthTestClient(_second.Http).RefreshAsync(DemoDirectory.PartnerUiClientId, signedIn.RefreshToken!);
        var again = await new OAuthTestClient(_first.Http).RefreshAsync(DemoDirectory.PartnerUiClientId, refreshed.RefreshToken!);

        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(SharedIssuer, new JsonWebToken(again.AccessToken).Issuer);
    }

    private static List<Guid> KeyIds(IdentityInstance identity) =>
        identity.Services.GetRequiredService<IKeyManager>().GetAllKeys().Select(k => k.KeyId).Order().ToList();
}
