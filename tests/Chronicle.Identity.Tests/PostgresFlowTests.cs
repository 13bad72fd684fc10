using System.Net;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Chronicle.Testing;

namespace Chronicle.Identity.Tests;

/// <summary>The same flows with Identity's stores on PostgreSQL.</summary>
public sealed class PostgresFlowTests : IAsyncLifetime
{
    private PostgresServer _server = null!;
    private IdentityInstance _identity = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        var database = await _server.CreateDatabaseAsync("identity");
        _identity = await IdentityInstance.StartAsync(postgresConnectionString: database);
    }

    public async Task DisposeAsync()
    {
        await _identity.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task GivenPostgres_WhenModulesAndUsersRunTheirFlows_ThenTokensAreIssuedRefreshedAndEnforced()
    {
        var oauth = new OAuthTestClient(_identity.Http);
        await using var service = await ProtectedService.StartAsync(_identity);

        var module = await oauth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret, "system/Patient.rs");
        var gp = await oauth.AuthorizationCodeAsync(DemoDirectory.StaffUserName(StaffRoles.Gp, DemoDirectory.PracticeB), DemoDirectory.Password,
            "openid offline_access user/Patient.rs");
        var refreshed = await oauth.RefreshAsync(DemoDirectory.PartnerUiClientId, gp.RefreshToken!);

        Assert.Equal(HttpStatusCode.OK, module.Status);
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Equal(HttpStatusCode.OK, await ReadDemoPatientAsync(service, module.AccessToken, null));
        Assert.Equal(HttpStatusCode.Forbidden, await ReadDemoPatientAsync(service, refreshed.AccessToken, null));
        Assert.Equal(HttpStatusCode.OK, await ReadDemoPatientAsync(service, refreshed.AccessToken, "Covering an urgent home visit"));
    }

    private static async Task<HttpStatusCode> ReadDemoPatientAsync(ProtectedService service, string token, string? breakGlass)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(service.FhirBase, $"Patient/{DemoDirectory.PatientId}"));
        request.Headers.Authorization = OAuthTestClient.Bearer(token);
        if (breakGlass is not null)
            request.Headers.Add(BreakGlass.Header, breakGlass);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
