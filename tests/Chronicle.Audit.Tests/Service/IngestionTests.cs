using System.Text.Json;
using Chronicle.Audit.Tests.EndToEnd;
using Chronicle.Auditing;
using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.Messaging.Direct;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Net.Client;

namespace Chronicle.Audit.Tests.Service;

/// <summary>Deliveries into the Audit service's app callback, as a Dapr sidecar makes them.</summary>
public sealed class IngestionTests(SqlitePlatformStorage storage) : IClassFixture<SqlitePlatformStorage>
{
    [Fact]
    public async Task GivenTheSameEntryDeliveredUnderTwoCloudEventIds_ThenItIsChainedOnce()
    {
        await using var server = await AuditServer.StartAsync(storage);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var callback = new AppCallbackClient(channel.CreateCallInvoker());
        var entry = Entries.Read(Guid.NewGuid().ToString());
        var data = JsonSerializer.SerializeToUtf8Bytes(AuditEntryMessages.ToIntegrationEvent(entry), AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded);
        TopicEventRequest Delivery(string id) => new()
        {
            Id = id, Source = "record", Type = "chronicle.audit.entry-recorded.v1", SpecVersion = "1.0", DataContentType = "application/json",
            Data = ByteString.CopyFrom(data), Topic = AuditTopics.Audit, PubsubName = "pubsub",
        };

        var subscriptions = await callback.ListTopicSubscriptionsAsync();
        var first = await callback.OnTopicEventAsync(Delivery("cloud-event-1"));
        var again = await callback.OnTopicEventAsync(Delivery("cloud-event-1"));
        var republished = await callback.OnTopicEventAsync(Delivery("cloud-event-2"));
        await server.CaughtUpAsync();
        using var http = server.Http();
        using var found = JsonDocument.Parse(await http.GetStringAsync($"audit/entries?_id={entry.EntryId}"));

        Assert.Contains(subscriptions.Subscriptions, s => s.Topic == AuditTopics.Audit);
        Assert.All(new[] { first, again, republished }, r => Assert.Equal(TopicEventResponse.Types.TopicEventResponseStatus.Success, r.Status));
        var chained = Assert.Single(found.RootElement.GetProperty("entries").EnumerateArray());
        Assert.Equal((entry.OccurredAt, entry.PatientId), (chained.GetProperty("entry").GetProperty("occurredAt").GetDateTimeOffset(),
            chained.GetProperty("entry").GetProperty("patientId").GetString()));
    }

    [Fact]
    public async Task GivenAServedChain_WhenStopped_ThenTheVerifyCommandTrustsThePublishedPublicKeyAndFindsItIntact()
    {
        var server = await AuditServer.StartAsync(storage, "--Chronicle:Checkpoints:EveryEntries=2");
        var settings = server.Settings;
        await server.IngestAsync(Enumerable.Range(0, 3).Select(_ => Entries.Read(Guid.NewGuid().ToString())));
        await server.DisposeAsync(); // shutting down signs a last checkpoint
        var output = new StringWriter();

        var code = await AuditCommandLine.RunAsync(
            ["verify", "--sqlite", Path.Combine(settings.DataDirectory, "events.db"), "--key", settings.PublicKeyPath], output, new StringWriter());

        Assert.True(code == 0, output.ToString());
        Assert.StartsWith("INTACT: 3 links", output.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", await File.ReadAllTextAsync(settings.PublicKeyPath), StringComparison.Ordinal);
    }
}
