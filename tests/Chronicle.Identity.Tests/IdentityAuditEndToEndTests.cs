using System.Net;
using System.Text.Json;
using Chronicle.Contracts.Identity.V1;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Chronicle.Identity.Tests;

/// <summary>
/// Identity's audit entries travel as the Record's do: from its outbox through its relay and the direct transport to the
/// real Audit service, which chains them; auditors find them by patient, by service (<c>site=identity</c>) and as FHIR
/// AuditEvents.
/// </summary>
[Collection(RealServicesCollection.Name)]
public sealed class IdentityAuditEndToEndTests(RealServicesFixture services)
{
    [Fact]
    public async Task GivenStaffBreakingGlass_WhenIdentityAnswersTheirRelationshipQuestion_ThenTheAuditServiceChainsItsEntryWithEveryField()
    {
        const string reason = "Home visit for a temporary resident";
        var token = await services.GpTokenAsync(DemoDirectory.PracticeB);
        var correlation = Guid.NewGuid().ToString("N");

        var reply = await IdentityAuditTests.AskAsync(services.Identity, token, services.PatientAtA, correlation, reason);

        Assert.Equal(AccessDecision.AllowedByBreakGlass, reply.Decision);
        var entry = Assert.Single(await services.WaitForEntriesAsync($"site=identity&patient={services.PatientAtA}", 1, Correlated(correlation)));
        Assert.Equal("identity", entry.GetProperty("service").GetString());
        Assert.Equal(new JsonWebToken(token).Subject, entry.GetProperty("userId").GetString());
        Assert.Equal(StaffRoles.Gp, entry.GetProperty("role").GetString());
        Assert.Equal(DemoDirectory.PracticeB, entry.GetProperty("organisationOds").GetString());
        Assert.Equal(DemoDirectory.PartnerUiClientId, entry.GetProperty("clientId").GetString());
        Assert.Equal(services.PatientAtA, entry.GetProperty("patientId").GetString());
        Assert.Equal("Read", entry.GetProperty("action").GetString());
        Assert.Equal("grpc:CheckPatientAccess", entry.GetProperty("resourceType").GetString());
        Assert.Equal(200, entry.GetProperty("outcome").GetInt32());
        Assert.True(entry.GetProperty("breakGlass").GetBoolean());
        Assert.Equal(reason, entry.GetProperty("breakGlassReason").GetString());
        Assert.Equal(AccessGrounds.BreakGlass, entry.GetProperty("accessGrounds").GetString());

        using var http = RealServicesFixture.Http(await services.AuditorTokenAsync());
        using var bundle = JsonDocument.Parse(await http.GetStringAsync(new Uri(services.AuditHttp, $"fhir/AuditEvent?patient={services.PatientAtA}&site=identity&_count=1000")));
        Assert.Contains(bundle.RootElement.GetProperty("entry").EnumerateArray(), e => e.GetProperty("resource").GetProperty("source").GetProperty("site").GetString() == "identity");
    }

    [Fact]
    public async Task GivenNoToken_WhenARelationshipQuestionIsAsked_ThenItsRefusalReachesTheAuditService()
    {
        var correlation = Guid.NewGuid().ToString("N");

        var refusal = await Assert.ThrowsAsync<RpcException>(() => IdentityAuditTests.AskAsync(services.Identity, null, services.PatientAtA, correlation));

        Assert.Equal(StatusCode.Unauthenticated, refusal.StatusCode);
        var entry = Assert.Single(await services.WaitForEntriesAsync("site=identity&outcome=4", 1, Correlated(correlation)));
        Assert.Equal("grpc:CheckPatientAccess", entry.GetProperty("resourceType").GetString());
    }

    [Fact]
    public async Task GivenANurseOfAnotherPractice_WhenTheRecordRefusesTheirRead_ThenTheChainHoldsTheRecordsRefusalAndIdentitysAnswerBehindIt()
    {
        var nurse = await services.UserTokenAsync(DemoDirectory.StaffUserName(StaffRoles.Nurse, DemoDirectory.PracticeA), "openid user/*.rs");
        var nurseId = new JsonWebToken(nurse).Subject;
        using var http = RealServicesFixture.Http(nurse);

        using var response = await http.GetAsync(new Uri(services.RecordFhir, $"Patient/{services.PatientAtB}"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var entries = await services.WaitForEntriesAsync($"patient={services.PatientAtB}&agent={nurseId}", 2,
            e => e.GetProperty("service").GetString() is "identity" or "record");
        Assert.Contains(entries, e => e.GetProperty("service").GetString() == "record" && e.GetProperty("outcome").GetInt32() == 403);
        // Identity answered (200) that the nurse may not reach the patient: its entry gives no grounds.
        Assert.Contains(entries, e => e.GetProperty("service").GetString() == "identity" && e.GetProperty("outcome").GetInt32() == 200
            && e.GetProperty("resourceType").GetString() == "grpc:CheckPatientAccess"
            && e.GetProperty("accessGrounds").ValueKind == JsonValueKind.Null);
    }

    private static Func<JsonElement, bool> Correlated(string correlation) =>
        e => e.TryGetProperty("correlationId", out var id) && id.GetString() == correlation;
}
