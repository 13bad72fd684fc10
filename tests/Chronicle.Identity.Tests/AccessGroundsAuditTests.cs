using System.Net;
using System.Text.Json;
using Chronicle.Identity.Hosting;
using Chronicle.Security;

namespace Chronicle.Identity.Tests;

/// <summary>
/// Auditors must be able to say on what grounds someone reached a record. Against the real Record, Audit and Identity, each
/// kind of caller reads the same patient, and the Record's audit entry, as chained by the Audit service and served as a FHIR
/// AuditEvent, names the grounds Identity's rules gave: registered practice, enabled module, the patient themself, break-glass.
/// </summary>
[Collection(RealServicesCollection.Name)]
public sealed class AccessGroundsAuditTests(RealServicesFixture services)
{
    public static TheoryData<string> Callers => ["gp-at-practice", "module", "patient", "gp-elsewhere-breaking-glass"];

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task GivenACaller_WhenReadingARecord_ThenItsAuditEntryNamesTheGroundsOfTheAccess(string caller)
    {
        var (token, breakGlass, grounds, agent) = caller switch
        {
            "gp-at-practice" => (await services.GpTokenAsync(DemoDirectory.PracticeA), null, AccessGrounds.RegisteredPractice, "Practitioner"),
            "module" => (await services.ModuleTokenAsync(), null, AccessGrounds.ModuleEnabledAtPractice, "Device"),
            "patient" => (await services.PatientTokenAsync(), null, AccessGrounds.PatientSelf, "Patient"),
            _ => (await services.GpTokenAsync(DemoDirectory.PracticeB), "Temporary resident seen at Hillview", AccessGrounds.BreakGlass, "Practitioner"),
        };
        var correlation = Guid.NewGuid().ToString("N");
        using var http = RealServicesFixture.Http(token, breakGlass);
        http.DefaultRequestHeaders.Add("x-correlation-id", correlation);

        using var response = await http.GetAsync(new Uri(services.RecordFhir, $"Patient/{services.PatientAtA}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single(await services.WaitForEntriesAsync($"site=record&patient={services.PatientAtA}", 1,
            e => e.GetProperty("correlationId").GetString() == correlation));
        Assert.Equal((grounds, 200, breakGlass is not null), (entry.GetProperty("accessGrounds").GetString(), entry.GetProperty("outcome").GetInt32(),
            entry.GetProperty("breakGlass").GetBoolean()));

        using var auditor = RealServicesFixture.Http(await services.AuditorTokenAsync());
        using var bundle = JsonDocument.Parse(await auditor.GetStringAsync(new Uri(services.AuditHttp,
            $"fhir/AuditEvent/{entry.GetProperty("entryId").GetString()}")));
        var requestor = bundle.RootElement.GetProperty("agent").EnumerateArray().Single(a => a.GetProperty("requestor").GetBoolean());
        Assert.Equal(["urn:chronicle:access-grounds:" + grounds], requestor.GetProperty("policy").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(agent, requestor.GetProperty("who").GetProperty("type").GetString());
    }

    [Fact]
    public async Task GivenStaffOfAnotherPractice_WhenTheirReadIsRefused_ThenItsAuditEntryNamesNoGrounds()
    {
        var correlation = Guid.NewGuid().ToString("N");
        using var http = RealServicesFixture.Http(await services.GpTokenAsync(DemoDirectory.PracticeB));
        http.DefaultRequestHeaders.Add("x-correlation-id", correlation);

        using var response = await http.GetAsync(new Uri(services.RecordFhir, $"Patient/{services.PatientAtA}"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var entry = Assert.Single(await services.WaitForEntriesAsync($"site=record&patient={services.PatientAtA}&outcome=4", 1,
            e => e.GetProperty("correlationId").GetString() == correlation));
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("accessGrounds").ValueKind);
    }

    [Theory]
    [InlineData(PatientAccessOutcome.Allowed, "patient", AccessGrounds.PatientSelf)]
    [InlineData(PatientAccessOutcome.Allowed, "staff", AccessGrounds.RegisteredPractice)]
    [InlineData(PatientAccessOutcome.Allowed, "module", AccessGrounds.ModuleEnabledAtPractice)]
    [InlineData(PatientAccessOutcome.AllowedByBreakGlass, "staff", AccessGrounds.BreakGlass)]
    [InlineData(PatientAccessOutcome.BreakGlassRequired, "staff", null)]
    [InlineData(PatientAccessOutcome.Denied, "module", null)]
    [InlineData(PatientAccessOutcome.Denied, "patient", null)]
    public void GivenACallerAndAnOutcome_WhenTheGroundsAreWorkedOut_ThenTheyFollowTheRuleThatAllowedIt(PatientAccessOutcome outcome, string kind, string? grounds)
    {
        var caller = kind switch
        {
            "patient" => new Caller("p1", "patient-app", null, null, Guid.NewGuid().ToString(), []),
            "staff" => new Caller("u1", "partner-ui", "GP", "A81001", null, []),
            _ => new Caller(null, DemoDirectory.ModuleClientId, null, null, null, []),
        };

        Assert.Equal(grounds, AccessGrounds.For(caller, outcome));
    }
}
