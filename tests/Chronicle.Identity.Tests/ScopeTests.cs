using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Grpc.Core;

namespace Chronicle.Identity.Tests;

/// <summary>Each call needs a scope that fits it: its resource type, and read, search or write.</summary>
[Collection(SecurityCollection.Name)]
public sealed class ScopeTests(SecurityFixture fixture)
{
    [Theory]
    [InlineData(Endpoint.FhirSearchObservation, "system/Patient.rs")]
    [InlineData(Endpoint.FhirReadPatient, "system/Observation.rs")]
    [InlineData(Endpoint.FhirCreateObservation, "system/Observation.rs")]
    [InlineData(Endpoint.FhirPatientEverything, "system/Patient.rs")]
    [InlineData(Endpoint.GrpcGetRecord, "system/Observation.rs")]
    public async Task GivenAModuleTokenWithoutTheFittingScope_WhenItCalls_ThenItIsForbidden(Endpoint endpoint, string scope)
    {
        var token = await fixture.ModuleTokenAsync(scope);

        var result = await ProtectedEndpoints.CallAsync(endpoint, fixture, token, fixture.PatientAtA);

        Assert.Equal(403, result.Status);
        if (result.GrpcStatus is null)
            BadTokenTests.AssertOperationOutcome(result.Body, "forbidden");
        else
            Assert.Equal(StatusCode.PermissionDenied, result.GrpcStatus);
        Assert.Contains("needs a scope", result.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Endpoint.FhirSearchObservation, "system/Observation.rs")]
    [InlineData(Endpoint.FhirReadPatient, "system/Patient.rs")]
    [InlineData(Endpoint.FhirPatientEverything, "system/*.rs")]
    [InlineData(Endpoint.GrpcGetRecord, "system/Patient.r")]
    public async Task GivenAModuleTokenWithTheFittingScope_WhenItCalls_ThenItIsAllowed(Endpoint endpoint, string scope)
    {
        var token = await fixture.ModuleTokenAsync(scope);

        var result = await ProtectedEndpoints.CallAsync(endpoint, fixture, token, fixture.PatientAtA);

        Assert.Equal(200, result.Status);
    }

    [Fact]
    public async Task GivenAReadOnlyStaffRole_WhenItWrites_ThenItIsForbidden()
    {
        var token = await fixture.StaffTokenAsync(StaffRoles.Auditor);

        var write = await ProtectedEndpoints.CallAsync(Endpoint.FhirCreateObservation, fixture, token, fixture.PatientAtA);
        var read = await ProtectedEndpoints.CallAsync(Endpoint.FhirReadPatient, fixture, token, fixture.PatientAtA);

        Assert.Equal(403, write.Status);
        Assert.Equal(200, read.Status);
    }

    [Fact]
    public async Task GivenAModule_WhenItAsksForAScopeItIsNotRegisteredFor_ThenTheTokenEndpointRefusesIt()
    {
        var response = await fixture.OAuth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret, "system/Observation.cruds");

        Assert.Equal("invalid_scope", response.Error);
    }

    [Fact]
    public async Task GivenAModule_WhenItAsksForUserOrPatientScopes_ThenTheTokenEndpointRefusesThem()
    {
        var user = await fixture.OAuth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret, "user/Patient.rs");
        var patient = await fixture.OAuth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret, "patient/*.rs");

        Assert.Equal("invalid_scope", user.Error);
        Assert.Equal("invalid_scope", patient.Error);
    }

    [Fact]
    public async Task GivenAGrpcMethodThatDeclaresNoScope_WhenAnyTokenCallsIt_ThenItIsRefused()
    {
        var token = await fixture.ModuleTokenAsync();
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(fixture.Service.GrpcAddress);
        var client = new Chronicle.Contracts.Record.V1.PatientRecord.PatientRecordClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.GetHistoryAsync(
            new Chronicle.Contracts.Record.V1.GetHistoryRequest { PatientId = fixture.PatientAtA },
            new Metadata { { "authorization", "Bearer " + token } }));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }
}
