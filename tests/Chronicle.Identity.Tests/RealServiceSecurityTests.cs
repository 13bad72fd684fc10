using System.Net;
using System.Text.Json;
using Chronicle.Contracts.Record.V1;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Grpc.Core;
using Grpc.Net.Client;

namespace Chronicle.Identity.Tests;

/// <summary>The bad-token table against the real Record and Audit services: every endpoint, every bad token, and a token without the scope.</summary>
[Collection(RealServicesCollection.Name)]
public sealed class RealServiceBadTokenTests(RealServicesFixture services)
{
    public static TheoryData<RealEndpoint, BadToken> EveryEndpointAndBadToken()
    {
        var data = new TheoryData<RealEndpoint, BadToken>();
        foreach (var endpoint in RealServiceEndpoints.All)
        foreach (var token in Enum.GetValues<BadToken>())
            data.Add(endpoint, token);
        return data;
    }

    public static TheoryData<RealEndpoint> EveryEndpoint() => new(RealServiceEndpoints.All);

    private static Dictionary<string, object> Claims(string scope) => new()
    {
        ["sub"] = "manager-account", ["client_id"] = "chronicle-partner-ui", ["role"] = StaffRoles.PracticeManager,
        ["org"] = DemoDirectory.PracticeA, ["scope"] = scope,
    };

    [Theory]
    [MemberData(nameof(EveryEndpointAndBadToken))]
    public async Task GivenABadToken_WhenARealServiceEndpointIsCalled_ThenItAnswers401(RealEndpoint endpoint, BadToken kind)
    {
        var claims = Claims("user/*.cruds");
        var token = ForgedTokens.Make(kind, services.Identity, ForgedTokens.Valid(services.Identity, claims), claims);

        var result = await RealServiceEndpoints.CallAsync(endpoint, services, token, services.PatientAtA);

        Assert.Equal(401, result.Status);
        if (result.GrpcStatus is not null)
            Assert.Equal(StatusCode.Unauthenticated, result.GrpcStatus);
        else if (RealServiceEndpoints.IsFhir(endpoint))
            BadTokenTests.AssertOperationOutcome(result.Body, "login");
    }

    [Theory]
    [MemberData(nameof(EveryEndpoint))]
    public async Task GivenAValidTokenWithoutAFittingScope_WhenARealServiceEndpointIsCalled_ThenItAnswers403(RealEndpoint endpoint)
    {
        var token = ForgedTokens.Valid(services.Identity, Claims("user/Practitioner.rs"));

        var result = await RealServiceEndpoints.CallAsync(endpoint, services, token, services.PatientAtA);

        Assert.Equal(403, result.Status);
        if (result.GrpcStatus is not null)
            Assert.Equal(StatusCode.PermissionDenied, result.GrpcStatus);
        else if (RealServiceEndpoints.IsFhir(endpoint))
            BadTokenTests.AssertOperationOutcome(result.Body, "forbidden");
    }
}

/// <summary>Who reaches what in the real Record and Audit services, and that refusals and break-glass reach the audit trail.</summary>
[Collection(RealServicesCollection.Name)]
public sealed class RealServiceAccessTests(RealServicesFixture services)
{
    [Fact]
    public async Task GivenStaffOfThePatientsPractice_WhenReadingTheRecord_ThenFhirAndGrpcReadsAnswer()
    {
        var gp = await services.GpTokenAsync();
        using var http = RealServicesFixture.Http(gp);
        using var channel = GrpcChannel.ForAddress(services.RecordGrpc);

        using var read = await http.GetAsync(new Uri(services.RecordFhir, $"Patient/{services.PatientAtA}"));
        using var everything = await http.GetAsync(new Uri(services.RecordFhir, $"Patient/{services.PatientAtA}/$everything"));
        using var search = await http.GetAsync(new Uri(services.RecordFhir, $"Observation?patient={services.PatientAtA}"));
        var record = await new PatientRecord.PatientRecordClient(channel).GetRecordAsync(
            new GetRecordRequest { PatientId = services.PatientAtA }, RealServicesFixture.Bearer(gp));
        using var metadata = await new HttpClient().GetAsync(new Uri(services.RecordFhir, "metadata"));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, everything.StatusCode);
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.NotNull(record.Patient);
        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        var history = await new PatientRecord.PatientRecordClient(channel).GetHistoryAsync(
            new GetHistoryRequest { PatientId = services.PatientAtA }, RealServicesFixture.Bearer(gp));
        Assert.NotEmpty(history.ToString());
    }

    [Fact]
    public async Task GivenStaffOfAnotherPractice_WhenReadingTheRecord_ThenRefusedUntilTheyBreakGlassWhichIsAudited()
    {
        var gpB = await services.GpTokenAsync(DemoDirectory.PracticeB);
        using var plain = RealServicesFixture.Http(gpB);
        using var glass = RealServicesFixture.Http(gpB, "Unconscious patient in A&E, test 1");
        using var channel = GrpcChannel.ForAddress(services.RecordGrpc);
        var client = new PatientRecord.PatientRecordClient(channel);

        using var refused = await plain.GetAsync(new Uri(services.RecordFhir, $"Patient/{services.PatientAtA}"));
        using var unknown = await plain.GetAsync(new Uri(services.RecordFhir, $"Patient/{Guid.NewGuid()}"));
        var grpcRefused = await Assert.ThrowsAsync<RpcException>(() =>
            client.GetRecordAsync(new GetRecordRequest { PatientId = services.PatientAtA }, RealServicesFixture.Bearer(gpB)).ResponseAsync);
        using var broken = await glass.GetAsync(new Uri(services.RecordFhir, $"Patient/{services.PatientAtA}"));
        await client.GetRecordAsync(new GetRecordRequest { PatientId = services.PatientAtA },
            RealServicesFixture.Bearer(gpB, "Unconscious patient in A&E, test 2"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode);
        // The same answer whether or not the patient exists.
        Assert.Equal(JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("issue")[0].GetProperty("diagnostics").GetString(),
            JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("issue")[0].GetProperty("diagnostics").GetString());
        Assert.Equal(StatusCode.PermissionDenied, grpcRefused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, broken.StatusCode);
        // The Record's own entries: Identity audits its break-glass answers too, and those must not stand in for them.
        var flagged = await services.WaitForEntriesAsync($"site=record&patient={services.PatientAtA}", 2,
            e => e.GetProperty("breakGlass").GetBoolean() && e.GetProperty("breakGlassReason").GetString()!.StartsWith("Unconscious patient in A&E, test", StringComparison.Ordinal));
        Assert.Contains(flagged, e => e.GetProperty("breakGlassReason").GetString() == "Unconscious patient in A&E, test 1" && e.GetProperty("outcome").GetInt32() == 200);
        Assert.Contains(flagged, e => e.GetProperty("breakGlassReason").GetString() == "Unconscious patient in A&E, test 2"
            && e.GetProperty("resourceType").GetString() == "grpc:GetRecord");
    }

    [Fact]
    public async Task GivenNoToken_WhenReadingOverFhirAndGrpc_ThenTheRefusalsAreInTheAuditTrail()
    {
        using var anonymous = new HttpClient();
        using var channel = GrpcChannel.ForAddress(services.RecordGrpc);
        var marker = Guid.NewGuid().ToString();

        using var fhir = await anonymous.GetAsync(new Uri(services.RecordFhir, $"Observation?patient={marker}"));
        var grpc = await Assert.ThrowsAsync<RpcException>(() =>
            new PatientRecord.PatientRecordClient(channel).GetHistoryAsync(new GetHistoryRequest { PatientId = marker }).ResponseAsync);

        Assert.Equal(HttpStatusCode.Unauthorized, fhir.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, grpc.StatusCode);
        var refusals = await services.WaitForEntriesAsync("site=record", 2, e => e.GetProperty("outcome").GetInt32() == 401
            && (e.GetProperty("resourceType").GetString() == "grpc:GetHistory" || (e.TryGetProperty("query", out var q) && q.GetString()?.Contains(marker, StringComparison.Ordinal) == true)));
        Assert.Contains(refusals, e => e.GetProperty("resourceType").GetString() == "grpc:GetHistory");
        Assert.Contains(refusals, e => e.GetProperty("resourceType").GetString() == "Observation");
    }

    [Fact]
    public async Task GivenAPatientToken_WhenReadingAndWriting_ThenOnlyTheirOwnRecordIsReadAndWritesAreRefused()
    {
        var patient = await services.PatientTokenAsync();
        using var http = RealServicesFixture.Http(patient);
        using var channel = GrpcChannel.ForAddress(services.RecordGrpc);

        using var own = await http.GetAsync(new Uri(services.RecordFhir, $"Patient/{services.PatientAtA}/$everything"));
        using var other = await http.GetAsync(new Uri(services.RecordFhir, $"Patient/{services.PatientAtB}"));
        var write = await Assert.ThrowsAsync<RpcException>(() => new PatientRecord.PatientRecordClient(channel).UpdateDemographicsAsync(
            new UpdateDemographicsRequest { CommandId = Guid.NewGuid().ToString(), PatientId = services.PatientAtA }, RealServicesFixture.Bearer(patient)).ResponseAsync);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, write.StatusCode);
    }

    [Fact]
    public async Task GivenASearchNamingNoPatient_WhenRun_ThenOnlyPatientsTheCallerMayReachAreShownAndTwoPatientsAtOnceAreRefused()
    {
        using var http = RealServicesFixture.Http(await services.GpTokenAsync());

        var found = JsonDocument.Parse(await http.GetStringAsync(new Uri(services.RecordFhir, "Patient?name=Okafor")));
        using var two = await http.GetAsync(new Uri(services.RecordFhir, $"Observation?patient={services.PatientAtA},{services.PatientAtB}"));

        var ids = found.RootElement.TryGetProperty("entry", out var entries)
            ? entries.EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("id").GetString()).ToList()
            : [];
        Assert.Contains(services.PatientAtA, ids);
        Assert.DoesNotContain(services.PatientAtB, ids);
        Assert.Equal(HttpStatusCode.BadRequest, two.StatusCode);
    }

    [Fact]
    public async Task GivenStaffOfOnePractice_WhenRegisteringAPatientAtAnother_ThenRefused()
    {
        var gpAtA = await services.GpTokenAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(() => services.RegisterAsync(gpAtA, "", "9434765943", DemoDirectory.PracticeB));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("own practice", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheAuditService_WhenCallersQueryAndReplay_ThenOnlyAuditorTokensMayAndHeadersAreNotTrusted()
    {
        var auditor = await services.AuditorTokenAsync();
        using var asAuditor = RealServicesFixture.Http(auditor);
        using var asGp = RealServicesFixture.Http(await services.GpTokenAsync());
        asGp.DefaultRequestHeaders.Add("x-user-role", "auditor");

        using var search = await asAuditor.GetAsync(new Uri(services.AuditHttp, $"fhir/AuditEvent?patient={services.PatientAtA}"));
        using var replay = await asAuditor.GetAsync(new Uri(services.AuditHttp, $"audit/replay/{services.PatientAtA}/as-at?at={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}"));
        using var history = await asAuditor.GetAsync(new Uri(services.AuditHttp, $"audit/replay/{services.PatientAtA}/history"));
        using var spoofed = await asGp.GetAsync(new Uri(services.AuditHttp, "audit/verify"));
        using var anonymous = await new HttpClient().GetAsync(new Uri(services.AuditHttp, "fhir/AuditEvent"));

        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.True(replay.StatusCode == HttpStatusCode.OK, await replay.Content.ReadAsStringAsync());
        Assert.True(history.StatusCode == HttpStatusCode.OK, await history.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, spoofed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        // The Record audited the auditor's replay as the auditor.
        var replays = await services.WaitForEntriesAsync($"site=record&patient={services.PatientAtA}", 1,
            e => e.GetProperty("resourceType").GetString() == "grpc:GetFhirRecordAsAt" && e.GetProperty("role").GetString() == StaffRoles.Auditor);
        Assert.NotEmpty(replays);
    }
}
