using System.Net;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Chronicle.Testing;

namespace Chronicle.Identity.Tests;

/// <summary>The same flows with Identity's stores on PostgreSQL.</summary>
[Collection(SharedPostgres.Collection)]
public sealed class PostgresFlowTests : IAsyncLifetime
{
    private IdentityInstance _identity = null!;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _database = await SharedPostgres.CreateDatabaseAsync("identity");
        _identity = await IdentityInstance.StartAsync(postgresConnectionString: _database);
    }

    public async Task DisposeAsync() => await _identity.DisposeAsync();

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

    [Fact]
    public async Task GivenPostgres_WhenIdentityAnswersRelationshipQuestions_ThenItsOutboxIsInItsOwnSchemaWithEveryAnswer()
    {
        var oauth = new OAuthTestClient(_identity.Http);
        await using var service = await ProtectedService.StartAsync(_identity);
        var gp = await oauth.AuthorizationCodeAsync(DemoDirectory.StaffUserName(StaffRoles.Gp, DemoDirectory.PracticeB), DemoDirectory.Password,
            "openid user/Patient.rs");

        Assert.Equal(HttpStatusCode.Forbidden, await ReadDemoPatientAsync(service, gp.AccessToken, null));
        Assert.Equal(HttpStatusCode.OK, await ReadDemoPatientAsync(service, gp.AccessToken, "Covering an urgent home visit"));

        var answers = (await IdentityAuditTests.OutboxEntriesAsync(_identity))
            .Where(e => e.PatientId == DemoDirectory.PatientId.ToString() && e.OrganisationOds == DemoDirectory.PracticeB).ToList();
        Assert.Contains(answers, e => !e.BreakGlass && e.Outcome == 200);
        Assert.Contains(answers, e => e.BreakGlass && e.BreakGlassReason == "Covering an urgent home visit");
        await using var connection = new Npgsql.NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand(
            "select count(*) from information_schema.tables where table_schema = @schema", connection) { Parameters = { new("schema", IdentityHostSettings.EventSchema) } };
        Assert.True((long)(await count.ExecuteScalarAsync())! > 0);
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
