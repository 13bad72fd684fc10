using Chronicle.Auditing;
using Chronicle.Contracts.Identity.V1;
using Chronicle.EventStore;
using Chronicle.Identity.Access;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using AccessClient = Chronicle.Contracts.Identity.V1.Access.AccessClient;

namespace Chronicle.Identity.Tests;

/// <summary>
/// Identity audits its own answers about patients like every other service: each legitimate-relationship answer and each
/// practice's module choice is an entry in Identity's own event store (the outbox) before the caller gets the answer,
/// refusals too. Each test marks its calls with a correlation id of its own and reads the outbox right after the answer:
/// no waiting, so an entry written after the answer would fail the test.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class IdentityAuditTests(SecurityFixture fixture)
{
    [Fact]
    public async Task GivenStaff_WhenIdentityAnswersWhetherTheyMayReachAPatient_ThenTheAnswerIsInIdentitysOutboxBeforeItArrives()
    {
        var token = await fixture.GpTokenAsync();
        var correlation = NewCorrelationId();

        var reply = await AskAsync(token, fixture.PatientAtB, correlation);

        Assert.Equal(AccessDecision.BreakGlassRequired, reply.Decision);
        var entry = Assert.Single(await OutboxEntriesAsync(correlation));
        Assert.Equal(IdentityAuditing.Service, entry.Service);
        Assert.Equal(new JsonWebToken(token).Subject, entry.UserId);
        Assert.Equal(StaffRoles.Gp, entry.Role);
        Assert.Equal(DemoDirectory.PracticeA, entry.OrganisationOds);
        Assert.Equal(DemoDirectory.PartnerUiClientId, entry.ClientId);
        Assert.Equal(fixture.PatientAtB, entry.PatientId);
        Assert.Equal(AuditAction.Read, entry.Action);
        Assert.Equal("grpc:CheckPatientAccess", entry.ResourceType);
        Assert.Equal(200, entry.Outcome);
        Assert.False(entry.BreakGlass);
        Assert.InRange(entry.OccurredAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task GivenStaffOfAnotherPractice_WhenTheyBreakGlass_ThenIdentitysEntryIsFlaggedWithTheirReason()
    {
        const string reason = "Patient collapsed in our waiting room";
        var correlation = NewCorrelationId();

        var reply = await AskAsync(await fixture.GpTokenAsync(DemoDirectory.PracticeB), fixture.PatientAtA, correlation, reason);

        Assert.Equal(AccessDecision.AllowedByBreakGlass, reply.Decision);
        var entry = Assert.Single(await OutboxEntriesAsync(correlation));
        Assert.Equal(DemoDirectory.PracticeB, entry.OrganisationOds);
        Assert.Equal(fixture.PatientAtA, entry.PatientId);
        Assert.True(entry.BreakGlass);
        Assert.Equal(reason, entry.BreakGlassReason);
    }

    [Fact]
    public async Task GivenAModule_WhenItsAccessIsAsked_ThenTheEntryNamesTheModule()
    {
        var correlation = NewCorrelationId();

        var reply = await AskAsync(await fixture.ModuleTokenAsync(), fixture.PatientAtA, correlation);

        Assert.Equal(AccessDecision.Allowed, reply.Decision);
        var entry = Assert.Single(await OutboxEntriesAsync(correlation));
        Assert.Equal(DemoDirectory.ModuleClientId, entry.ClientId);
        Assert.Equal(fixture.PatientAtA, entry.PatientId);
        Assert.Equal(200, entry.Outcome);
    }

    public static TheoryData<BadToken> RefusedTokens() =>
        new(BadToken.None, BadToken.Expired, BadToken.TamperedSignature, BadToken.ForeignKey, BadToken.WrongAudience);

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task GivenNoOrABadToken_WhenAccessIsAsked_ThenTheRefusalIsInIdentitysOutboxBeforeItArrives(BadToken kind)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = "forger", ["client_id"] = DemoDirectory.PartnerUiClientId, ["role"] = StaffRoles.Gp, ["org"] = DemoDirectory.PracticeA,
            ["scope"] = "user/*.cruds",
        };
        var token = ForgedTokens.Make(kind, fixture.Identity, ForgedTokens.Valid(fixture.Identity, claims), claims);
        var correlation = NewCorrelationId();

        var refusal = await Assert.ThrowsAsync<RpcException>(() => AskAsync(token, fixture.PatientAtA, correlation));

        Assert.Equal(StatusCode.Unauthenticated, refusal.StatusCode);
        var entry = Assert.Single(await OutboxEntriesAsync(correlation));
        Assert.Equal(IdentityAuditing.Service, entry.Service);
        Assert.Equal(401, entry.Outcome);
        Assert.Equal(AuditAction.Read, entry.Action);
        Assert.Equal("grpc:CheckPatientAccess", entry.ResourceType);
        Assert.Null(entry.UserId);
    }

    [Fact]
    public async Task GivenPracticeManagers_WhenTheyViewOrChangeAPracticesModules_ThenEachAnswerIsAuditedRefusalsToo()
    {
        var managerA = await fixture.StaffTokenAsync(StaffRoles.PracticeManager);
        var managerB = await fixture.StaffTokenAsync(StaffRoles.PracticeManager, DemoDirectory.PracticeB);
        var (list, foreign, unknown) = (NewCorrelationId(), NewCorrelationId(), NewCorrelationId());

        Assert.Equal(200, await AdminAsync(HttpMethod.Get, "admin/practices/A81001/modules", managerA, list));
        Assert.Equal(403, await AdminAsync(HttpMethod.Put, $"admin/practices/A81001/modules/{DemoDirectory.ModuleClientId}", managerB, foreign));
        Assert.Equal(404, await AdminAsync(HttpMethod.Delete, "admin/practices/A81001/modules/no-such-module", managerA, unknown));

        var listed = Assert.Single(await OutboxEntriesAsync(list));
        Assert.Equal((AuditAction.Search, "PracticeModule", "A81001", 200), (listed.Action, listed.ResourceType, listed.ResourceId, listed.Outcome));
        Assert.Equal((StaffRoles.PracticeManager, DemoDirectory.PracticeA), (listed.Role, listed.OrganisationOds));
        var refused = Assert.Single(await OutboxEntriesAsync(foreign));
        Assert.Equal((AuditAction.Update, $"A81001/{DemoDirectory.ModuleClientId}", 403, DemoDirectory.PracticeB),
            (refused.Action, refused.ResourceId, refused.Outcome, refused.OrganisationOds));
        var missing = Assert.Single(await OutboxEntriesAsync(unknown));
        Assert.Equal((AuditAction.Update, 404), (missing.Action, missing.Outcome));
    }

    [Fact]
    public async Task GivenTokenDiscoveryAndLoginRequests_WhenSent_ThenNoneIsAuditedAsPatientAccess()
    {
        var correlation = NewCorrelationId();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add("x-correlation-id", correlation);

        using var token = await http.PostAsync(fixture.Identity.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = DemoDirectory.ModuleClientId, ["client_secret"] = DemoDirectory.ModuleSecret,
        }));
        using var discovery = await http.GetAsync(new Uri(fixture.Identity.Http, ".well-known/openid-configuration"));
        using var login = await http.GetAsync(new Uri(fixture.Identity.Http, "account/login"));
        // Something that is audited, last: once its entry is there, an entry for the requests before it would be too.
        Assert.Equal(401, await AdminAsync(HttpMethod.Get, "admin/practices/A81001/modules", null, correlation));

        Assert.True(token.IsSuccessStatusCode);
        Assert.True(discovery.IsSuccessStatusCode);
        var entry = Assert.Single(await OutboxEntriesAsync(correlation));
        Assert.Equal("PracticeModule", entry.ResourceType);
    }

    private Task<CheckPatientAccessReply> AskAsync(string? token, string patientId, string correlation, string? breakGlassReason = null) =>
        AskAsync(fixture.Identity, token, patientId, correlation, breakGlassReason);

    /// <summary>Asks Identity's Access service about a patient, with a correlation id that marks the call's audit entry.</summary>
    public static async Task<CheckPatientAccessReply> AskAsync(IdentityInstance identity, string? token, string patientId, string correlation,
        string? breakGlassReason = null)
    {
        using var channel = GrpcChannel.ForAddress(identity.Grpc);
        var headers = new Metadata { { "x-correlation-id", correlation } };
        if (token is not null)
            headers.Add("authorization", "Bearer " + token);
        return await new AccessClient(channel).CheckPatientAccessAsync(
            new CheckPatientAccessRequest { PatientId = patientId, BreakGlassReason = breakGlassReason ?? "" }, headers);
    }

    private async Task<int> AdminAsync(HttpMethod method, string path, string? token, string correlation)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, new Uri(fixture.Identity.Http, path));
        request.Headers.Add("x-correlation-id", correlation);
        if (token is not null)
            request.Headers.Authorization = OAuthTestClient.Bearer(token);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    private Task<IReadOnlyList<AuditEntry>> OutboxEntriesAsync(string correlation) => OutboxEntriesAsync(fixture.Identity, correlation);

    /// <summary>Identity's outbox as it is now, the entries a correlation id marks.</summary>
    public static async Task<IReadOnlyList<AuditEntry>> OutboxEntriesAsync(IdentityInstance identity, string? correlation = null)
    {
        var store = identity.Services.GetRequiredService<IEventStore>();
        var entries = new List<AuditEntry>();
        long from = 0;
        while (true)
        {
            var page = await store.ReadStreamAsync(EventStoreAuditTrail.OutboxStream, new StreamReadOptions { FromVersion = from, MaxCount = 1000 });
            entries.AddRange(page.Select(EventStoreAuditTrail.Read).Where(e => correlation is null || e.CorrelationId == correlation));
            if (page.Count < 1000)
                return entries;
            from = page[^1].StreamVersion + 1;
        }
    }

    private static string NewCorrelationId() => Guid.NewGuid().ToString("N");
}
