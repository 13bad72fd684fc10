using System.Net;
using System.Net.Http.Headers;
using Chronicle.Auditing;
using Chronicle.Contracts.Record.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Chronicle.Identity.Tests;

/// <summary>
/// The protected service adopts security and auditing as every service composes them, so its refusals and its answers
/// are in its audit trail: a service put together with security but without auditing fails these.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class ProtectedServiceAuditTests(SecurityFixture fixture)
{
    [Fact]
    public async Task GivenNoToken_WhenTheProtectedServiceIsCalled_ThenFhirAnswers401WithAnOperationOutcome_AndGrpcIsUnauthenticated_AndBothRefusalsAreAudited()
    {
        var correlation = Guid.NewGuid().ToString();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Service.FhirBase, $"Patient/{fixture.PatientAtA}"));
        request.Headers.Add("x-correlation-id", correlation);
        using var channel = GrpcChannel.ForAddress(fixture.Service.GrpcAddress);

        using var fhir = await http.SendAsync(request);
        var grpc = await Assert.ThrowsAsync<RpcException>(() => new PatientRecord.PatientRecordClient(channel)
            .GetRecordAsync(new GetRecordRequest { PatientId = fixture.PatientAtA }, new Metadata { { "x-correlation-id", correlation } }).ResponseAsync);

        Assert.Equal(HttpStatusCode.Unauthorized, fhir.StatusCode);
        BadTokenTests.AssertOperationOutcome(await fhir.Content.ReadAsStringAsync(), "login");
        Assert.Equal(StatusCode.Unauthenticated, grpc.StatusCode);
        var refusals = (await fixture.Service.AuditEntriesAsync()).Where(e => e.CorrelationId == correlation).ToList();
        Assert.Equal([("Patient", 401), ("grpc:GetRecord", 401)], refusals.Select(e => (e.ResourceType, e.Outcome)).Order());
        Assert.All(refusals, e => Assert.Equal((ProtectedService.AppId, AuditAction.Read), (e.Service, e.Action)));
    }

    [Fact]
    public async Task GivenAGpOfThePatientsPractice_WhenTheyReadThePatient_ThenEachReadIsAuditedWithTheCallerAndThePatient()
    {
        var token = await fixture.GpTokenAsync();
        var correlation = Guid.NewGuid().ToString();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Service.FhirBase, $"Patient/{fixture.PatientAtA}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("x-correlation-id", correlation);
        using var channel = GrpcChannel.ForAddress(fixture.Service.GrpcAddress);

        using var fhir = await http.SendAsync(request);
        await new PatientRecord.PatientRecordClient(channel).GetRecordAsync(new GetRecordRequest { PatientId = fixture.PatientAtA },
            new Metadata { { "authorization", "Bearer " + token }, { "x-correlation-id", correlation } });

        Assert.Equal(HttpStatusCode.OK, fhir.StatusCode);
        var reads = (await fixture.Service.AuditEntriesAsync()).Where(e => e.CorrelationId == correlation).ToList();
        Assert.Equal([("Patient", 200), ("grpc:GetRecord", 200)], reads.Select(e => (e.ResourceType, e.Outcome)).Order());
        Assert.All(reads, e => Assert.Equal((ProtectedService.AppId, AuditAction.Read, fixture.PatientAtA), (e.Service, e.Action, e.PatientId)));
        Assert.All(reads, e => Assert.False(string.IsNullOrEmpty(e.UserId)));
    }
}
