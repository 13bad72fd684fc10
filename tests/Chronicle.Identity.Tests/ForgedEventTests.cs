using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Messaging.Direct;
using Chronicle.Messaging.Publishing;
using Chronicle.Messaging.Receiving;
using Chronicle.Testing;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using static Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types;

namespace Chronicle.Identity.Tests;

/// <summary>
/// An attacker on the same network forges the Record's registration facts into Identity's app callback over the real
/// gRPC socket, as the outsider attack did: to move a patient to a practice whose GP could then read the record.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class ForgedEventTests(SecurityFixture fixture)
{
    [Theory]
    [InlineData(null)]
    [InlineData("a-guessed-token")]
    public async Task GivenAForgedRegistration_WhenSentWithoutTheAppApiTokenOrWithAWrongOne_ThenItIsUnauthenticatedAndNothingMoves(string? token)
    {
        var patient = Guid.Parse(fixture.SecondPatientAtA);
        using var channel = GrpcChannel.ForAddress(fixture.Identity.Grpc);
        var forger = new AppCallbackClient(channel.CreateCallInvoker().Sending(token));
        var forged = Registration(patient, DemoDirectory.PracticeB, source: "record");
        var bulk = new TopicEventBulkRequest { Id = "bulk", PubsubName = forged.PubsubName, Topic = forged.Topic, Type = "com.dapr.event.sent.bulk" };
        bulk.Entries.Add(new TopicEventBulkRequestEntry
        {
            EntryId = "1",
            CloudEvent = new TopicEventCERequest
            {
                Id = Guid.NewGuid().ToString(), Source = forged.Source, Type = forged.Type, SpecVersion = "1.0",
                DataContentType = forged.DataContentType, Data = forged.Data,
            },
        });

        var single = await Assert.ThrowsAsync<RpcException>(async () => await forger.OnTopicEventAsync(forged));
        var stable = await Assert.ThrowsAsync<RpcException>(async () => await forger.OnBulkTopicEventAsync(bulk));
        var alpha = await Assert.ThrowsAsync<RpcException>(async () => await forger.OnBulkTopicEventAlpha1Async(bulk));

        Assert.All([single, stable, alpha], refusal => Assert.Equal(StatusCode.Unauthenticated, refusal.StatusCode));
        await AssertRegisteredAtAsync(patient, DemoDirectory.PracticeA);
        await AssertPracticeBIsRefusedAsync(patient);
    }

    [Fact]
    public async Task GivenARegistrationWithTheRightTokenButAnotherAppAsItsSource_WhenDelivered_ThenItIsDroppedAndNotApplied()
    {
        var patient = Guid.NewGuid();

        var status = await SidecarAsync(Registration(patient, DemoDirectory.PracticeB, source: "audit"));

        Assert.Equal(TopicEventResponseStatus.Drop, status);
        await AssertRegisteredAtAsync(patient, null);
    }

    [Fact]
    public async Task GivenAPatientRegisteredAtOnePractice_WhenARegistrationNamingAnotherArrivesFromTheRecordsSource_ThenItIsDroppedAndThePatientStays()
    {
        var patient = Guid.Parse(fixture.SecondPatientAtA);

        var status = await SidecarAsync(Registration(patient, DemoDirectory.PracticeB, source: "record"));

        Assert.Equal(TopicEventResponseStatus.Drop, status);
        await AssertRegisteredAtAsync(patient, DemoDirectory.PracticeA);
        await AssertPracticeBIsRefusedAsync(patient);
    }

    [Fact]
    public async Task GivenARegistrationClaimingALaterRecordVersion_WhenDelivered_ThenItIsDroppedAsNoRegistrationTheRecordMakes()
    {
        var patient = Guid.NewGuid();

        var status = await SidecarAsync(Registration(patient, DemoDirectory.PracticeB, source: "record", recordVersion: 7));

        Assert.Equal(TopicEventResponseStatus.Drop, status);
        await AssertRegisteredAtAsync(patient, null);
    }

    [Fact]
    public async Task GivenAGenuineRegistration_WhenDeliveredByTheSidecar_ThenIdentityHoldsIt()
    {
        var patient = Guid.NewGuid();

        var status = await SidecarAsync(Registration(patient, DemoDirectory.PracticeB, source: "record"));

        Assert.Equal(TopicEventResponseStatus.Success, status);
        await AssertRegisteredAtAsync(patient, DemoDirectory.PracticeB);
    }

    private async Task<TopicEventResponseStatus> SidecarAsync(TopicEventRequest request)
    {
        using var channel = GrpcChannel.ForAddress(fixture.Identity.Grpc);
        var sidecar = new AppCallbackClient(channel.CreateCallInvoker().Sending(TestAppApiToken.Value));
        return (await sidecar.OnTopicEventAsync(request)).Status;
    }

    private async Task AssertRegisteredAtAsync(Guid patient, string? practice)
    {
        await using var scope = fixture.Identity.Services.CreateAsyncScope();
        Assert.Equal(practice, await scope.ServiceProvider.GetRequiredService<RegistrationFacts>().PracticeOfAsync(patient));
    }

    private async Task AssertPracticeBIsRefusedAsync(Guid patient)
    {
        var result = await ProtectedEndpoints.CallAsync(Endpoint.FhirReadPatient, fixture, await fixture.GpTokenAsync(DemoDirectory.PracticeB),
            patient.ToString());
        Assert.Equal(403, result.Status);
    }

    private static TopicEventRequest Registration(Guid patient, string practice, string source, long recordVersion = 0)
    {
        var id = Guid.NewGuid().ToString();
        var registered = new RecordIntegrationEventsV1.PatientRegistered(
            patient, recordVersion, DateTimeOffset.UtcNow, "9434765919", practice, "Okafor", ["Ada"], new DateOnly(1980, 4, 12));
        var outgoing = OutgoingEvent.For(RecordIntegrationEventsJsonContext.Catalog(), registered, id, source, "pubsub");
        return AppCallbackClient.RequestOf(outgoing);
    }
}
