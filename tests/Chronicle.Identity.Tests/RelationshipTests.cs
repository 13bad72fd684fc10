using Chronicle.Testing;
using System.Net;
using System.Net.Http.Json;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Identity.Tests;

/// <summary>The legitimate-relationship rule on every kind of caller, and break glass.</summary>
[Collection(SecurityCollection.Name)]
public sealed class RelationshipTests(SecurityFixture fixture)
{
    public static TheoryData<Endpoint> PatientEndpoints() =>
        new(Endpoint.FhirReadPatient, Endpoint.FhirSearchObservation, Endpoint.FhirPatientEverything, Endpoint.FhirCreateObservation,
            Endpoint.GrpcGetRecord);

    [Theory]
    [MemberData(nameof(PatientEndpoints))]
    public async Task GivenStaff_WhenTheyReachAPatientOfTheirPractice_ThenItIsAllowed(Endpoint endpoint)
    {
        var result = await ProtectedEndpoints.CallAsync(endpoint, fixture, await fixture.GpTokenAsync(), fixture.SecondPatientAtA);

        Assert.Equal(200, result.Status is 201 ? 200 : result.Status);
        Assert.Null(result.BreakGlass);
    }

    [Theory]
    [MemberData(nameof(PatientEndpoints))]
    public async Task GivenStaff_WhenTheyReachAPatientOfAnotherPractice_ThenItIsForbiddenAndTheySeeHowToBreakGlass(Endpoint endpoint)
    {
        var result = await ProtectedEndpoints.CallAsync(endpoint, fixture, await fixture.GpTokenAsync(DemoDirectory.PracticeB), fixture.PatientAtA);

        Assert.Equal(403, result.Status);
        Assert.Contains(BreakGlass.Header, result.Body, StringComparison.Ordinal);
        if (result.GrpcStatus is null)
            BadTokenTests.AssertOperationOutcome(result.Body, "forbidden");
    }

    [Theory]
    [MemberData(nameof(PatientEndpoints))]
    public async Task GivenStaff_WhenTheyBreakGlassWithAReason_ThenItIsAllowedAndFlaggedWithTheReason(Endpoint endpoint)
    {
        const string reason = "Unconscious patient in A&E, no registered GP reachable";

        var result = await ProtectedEndpoints.CallAsync(endpoint, fixture, await fixture.GpTokenAsync(DemoDirectory.PracticeB), fixture.PatientAtA, reason);

        Assert.Equal(200, result.Status is 201 ? 200 : result.Status);
        Assert.Equal(reason, result.BreakGlass);
    }

    [Fact]
    public async Task GivenStaff_WhenTheyAskForAnUnknownPatient_ThenTheAnswerIsTheSameAsForAnUnrelatedPatient()
    {
        var token = await fixture.GpTokenAsync();

        var unknown = await ProtectedEndpoints.CallAsync(Endpoint.FhirReadPatient, fixture, token, fixture.UnknownPatient);
        var unrelated = await ProtectedEndpoints.CallAsync(Endpoint.FhirReadPatient, fixture, token, fixture.PatientAtB);

        Assert.Equal(403, unknown.Status);
        Assert.Equal(unrelated.Status, unknown.Status);
        Assert.Equal(unrelated.Body, unknown.Body);
    }

    [Theory]
    [MemberData(nameof(PatientEndpoints))]
    public async Task GivenAPatient_WhenTheyReachTheirOwnRecord_ThenItIsAllowed(Endpoint endpoint)
    {
        var result = await ProtectedEndpoints.CallAsync(endpoint, fixture, await fixture.PatientTokenAsync(), fixture.PatientAtA);

        Assert.Equal(endpoint == Endpoint.FhirCreateObservation ? 403 : 200, result.Status);
    }

    [Theory]
    [MemberData(nameof(PatientEndpoints))]
    public async Task GivenAPatient_WhenTheyReachAnotherPatientsRecord_ThenItIsForbiddenEvenWithBreakGlass(Endpoint endpoint)
    {
        var token = await fixture.PatientTokenAsync();

        var other = await ProtectedEndpoints.CallAsync(endpoint, fixture, token, fixture.SecondPatientAtA);
        var withReason = await ProtectedEndpoints.CallAsync(endpoint, fixture, token, fixture.SecondPatientAtA, "curious");
        var unknown = await ProtectedEndpoints.CallAsync(endpoint, fixture, token, fixture.UnknownPatient);

        Assert.Equal(403, other.Status);
        Assert.Equal(403, withReason.Status);
        Assert.Equal(other.Body, unknown.Body);
    }

    [Theory]
    [MemberData(nameof(PatientEndpoints))]
    public async Task GivenAModule_WhenItReachesPatientsOfPracticesThatDidNotEnableIt_ThenItIsForbidden(Endpoint endpoint)
    {
        var token = await fixture.ModuleTokenAsync("system/*.rs");

        var enabled = await ProtectedEndpoints.CallAsync(endpoint, fixture, token, fixture.PatientAtA);
        var notEnabled = await ProtectedEndpoints.CallAsync(endpoint, fixture, token, fixture.PatientAtB);
        var breakGlass = await ProtectedEndpoints.CallAsync(endpoint, fixture, token, fixture.PatientAtB, "a module cannot break glass");
        var unknown = await ProtectedEndpoints.CallAsync(endpoint, fixture, token, fixture.UnknownPatient);

        Assert.Equal(endpoint == Endpoint.FhirCreateObservation ? 403 : 200, enabled.Status);
        Assert.Equal(403, notEnabled.Status);
        Assert.Equal(403, breakGlass.Status);
        Assert.Equal(403, unknown.Status);
        Assert.Equal(notEnabled.Body, unknown.Body);
    }

    [Fact]
    public async Task GivenAPracticeManager_WhenTheyEnableAndDisableAModule_ThenTheModuleReachesTheirPatientsOnlyWhileEnabled()
    {
        var manager = await fixture.StaffTokenAsync(StaffRoles.PracticeManager, DemoDirectory.PracticeB);
        var before = Guid.NewGuid().ToString();
        var during = Guid.NewGuid().ToString();
        var after = Guid.NewGuid().ToString();
        foreach (var patient in new[] { before, during, after })
            await fixture.RegisterAsync(patient, DemoDirectory.PracticeB);
        var module = await fixture.ModuleTokenAsync("system/Patient.rs");

        var deniedBefore = await ProtectedEndpoints.CallAsync(Endpoint.FhirReadPatient, fixture, module, before);
        Assert.Equal(HttpStatusCode.NoContent, await ChangeModuleAsync(HttpMethod.Put, DemoDirectory.PracticeB, manager));
        var allowedDuring = await ProtectedEndpoints.CallAsync(Endpoint.FhirReadPatient, fixture, module, during);
        var listed = await ListModulesAsync(DemoDirectory.PracticeB, manager);
        Assert.Equal(HttpStatusCode.NoContent, await ChangeModuleAsync(HttpMethod.Delete, DemoDirectory.PracticeB, manager));
        var deniedAfter = await ProtectedEndpoints.CallAsync(Endpoint.FhirReadPatient, fixture, module, after);

        Assert.Equal(403, deniedBefore.Status);
        Assert.Equal(200, allowedDuring.Status);
        Assert.Contains(listed, m => m.ClientId == DemoDirectory.ModuleClientId && m.Enabled);
        Assert.Equal(403, deniedAfter.Status);
    }

    [Fact]
    public async Task GivenSomeoneOtherThanThatPracticesManager_WhenTheyEnableAModule_ThenItIsForbidden()
    {
        var otherManager = await fixture.StaffTokenAsync(StaffRoles.PracticeManager, DemoDirectory.PracticeA);
        var gp = await fixture.GpTokenAsync(DemoDirectory.PracticeB);

        Assert.Equal(HttpStatusCode.Forbidden, await ChangeModuleAsync(HttpMethod.Put, DemoDirectory.PracticeB, otherManager));
        Assert.Equal(HttpStatusCode.Forbidden, await ChangeModuleAsync(HttpMethod.Put, DemoDirectory.PracticeB, gp));
        Assert.Equal(HttpStatusCode.Unauthorized, await ChangeModuleAsync(HttpMethod.Put, DemoDirectory.PracticeB, null));
    }

    [Fact]
    public async Task GivenARegistrationHeld_WhenTheSameFactArrivesAgain_ThenItIsAppliedOnceAndNothingChanges()
    {
        await using var scope = fixture.Identity.Services.CreateAsyncScope();
        var facts = scope.ServiceProvider.GetRequiredService<RegistrationFacts>();
        var patient = Guid.NewGuid();
        var registered = Guid.NewGuid();

        Assert.True(await facts.RecordRegistrationAsync(registered, patient, DemoDirectory.PracticeA, 0));
        Assert.False(await facts.RecordRegistrationAsync(registered, patient, DemoDirectory.PracticeA, 0));
        Assert.True(await facts.RecordRegistrationAsync(Guid.NewGuid(), patient, DemoDirectory.PracticeA, 0));

        Assert.Equal(DemoDirectory.PracticeA, await facts.PracticeOfAsync(patient));
    }

    [Fact]
    public async Task GivenARegistrationHeld_WhenAFactNamingAnotherPracticeArrives_ThenItIsRefusedAndTheRegistrationStands()
    {
        await using var scope = fixture.Identity.Services.CreateAsyncScope();
        var facts = scope.ServiceProvider.GetRequiredService<RegistrationFacts>();
        var patient = Guid.NewGuid();
        Assert.True(await facts.RecordRegistrationAsync(Guid.NewGuid(), patient, DemoDirectory.PracticeA, 0));

        var moved = Guid.NewGuid();
        await Assert.ThrowsAsync<RegistrationConflictException>(() => facts.RecordRegistrationAsync(moved, patient, DemoDirectory.PracticeB, 5));

        Assert.Equal(DemoDirectory.PracticeA, await facts.PracticeOfAsync(patient));
        // Refused, not consumed: the same event id is not remembered as applied.
        await Assert.ThrowsAsync<RegistrationConflictException>(() => facts.RecordRegistrationAsync(moved, patient, DemoDirectory.PracticeB, 5));
    }

    [Fact]
    public async Task GivenRecordPublishesARegistration_WhenDeliveredThroughTheAppCallback_ThenIdentityKnowsThePracticeOnce()
    {
        var patient = Guid.NewGuid();
        var eventId = Guid.NewGuid().ToString();
        var registered = new Chronicle.Contracts.IntegrationEvents.Record.RecordIntegrationEventsV1.PatientRegistered(
            patient, 0, DateTimeOffset.UtcNow, "9434765919", DemoDirectory.PracticeB, "Okafor", ["Ada"], new DateOnly(1980, 4, 12));
        var outgoing = Chronicle.Messaging.Publishing.OutgoingEvent.For(
            Chronicle.Contracts.IntegrationEvents.Record.RecordIntegrationEventsJsonContext.Catalog(), registered, eventId, "record", "pubsub");
        var request = Chronicle.Messaging.Direct.AppCallbackClient.RequestOf(outgoing);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(fixture.Identity.Grpc);
        var sidecar = new Chronicle.Messaging.Direct.AppCallbackClient(
            Chronicle.Messaging.Receiving.AppApiToken.Sending(channel.CreateCallInvoker(), TestAppApiToken.Value));

        var subscriptions = await sidecar.ListTopicSubscriptionsAsync();
        var first = await sidecar.OnTopicEventAsync(request);
        var again = await sidecar.OnTopicEventAsync(request);

        Assert.Contains(subscriptions.Subscriptions, s => s.Topic == outgoing.Topic);
        Assert.Equal(Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus.Success, first.Status);
        Assert.Equal(Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types.TopicEventResponseStatus.Success, again.Status);
        await using var scope = fixture.Identity.Services.CreateAsyncScope();
        Assert.Equal(DemoDirectory.PracticeB, await scope.ServiceProvider.GetRequiredService<RegistrationFacts>().PracticeOfAsync(patient));
    }

    private sealed record ModuleRow(string ClientId, bool Enabled);

    private async Task<HttpStatusCode> ChangeModuleAsync(HttpMethod method, string practice, string? token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, new Uri(fixture.Identity.Http, $"admin/practices/{practice}/modules/{DemoDirectory.ModuleClientId}"));
        if (token is not null)
            request.Headers.Authorization = OAuthTestClient.Bearer(token);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<List<ModuleRow>> ListModulesAsync(string practice, string token)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = OAuthTestClient.Bearer(token);
        return (await http.GetFromJsonAsync<List<ModuleRow>>(new Uri(fixture.Identity.Http, $"admin/practices/{practice}/modules")))!;
    }
}
