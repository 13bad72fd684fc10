using Chronicle.Messaging.Receiving;
using Chronicle.Testing;
using System.Text.Json;
using Chronicle.Audit.Chain;
using Chronicle.Audit.Tests.EndToEnd;
using Chronicle.Auditing;
using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.Messaging.Direct;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Audit.Tests.Service;

/// <summary>Deliveries into the Audit service's app callback, as a Dapr sidecar makes them.</summary>
public sealed class IngestionTests(SqliteStorages storage) : IClassFixture<SqliteStorages>
{
    [Fact]
    public async Task GivenOneEntry_WhenDeliveredUnderTwoCloudEventIds_ThenItIsChainedOnce()
    {
        await using var server = await AuditServer.StartAsync(storage);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var callback = new AppCallbackClient(channel.CreateCallInvoker().Sending(TestAppApiToken.Value));
        var entry = Entries.Read(Guid.NewGuid().ToString());
        var data = JsonSerializer.SerializeToUtf8Bytes(AuditEntryMessages.ToIntegrationEvent(TestEmitters.Signed(entry)),
            AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded);
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
    public async Task GivenABulkWithARepeatedEntryAndPoison_WhenDeliveredTwiceThroughOnBulkTopicEventAlpha1_ThenEachEntryIsChainedOnce()
    {
        await using var server = await AuditServer.StartAsync(storage);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var callback = new AppCallbackClient(channel.CreateCallInvoker().Sending(TestAppApiToken.Value));
        var patient = Guid.NewGuid().ToString();
        var entries = Enumerable.Range(0, 3).Select(_ => Entries.Read(patient)).ToList();
        TopicEventCERequest Delivered(string id, byte[] data) => new()
        {
            Id = id, Source = "record", Type = "chronicle.audit.entry-recorded.v1", SpecVersion = "1.0", DataContentType = "application/json",
            Data = ByteString.CopyFrom(data),
        };
        byte[] Data(AuditEntry entry) => JsonSerializer.SerializeToUtf8Bytes(AuditEntryMessages.ToIntegrationEvent(TestEmitters.Signed(entry)),
            AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded);
        var bulk = new TopicEventBulkRequest { Id = "bulk-1", PubsubName = "pubsub", Topic = AuditTopics.Audit, Type = "com.dapr.event.sent.bulk" };
        bulk.Entries.Add(entries.Select((entry, i) => new TopicEventBulkRequestEntry { EntryId = $"e{i}", CloudEvent = Delivered($"ce-{i}", Data(entry)) }));
        bulk.Entries.Add(new TopicEventBulkRequestEntry { EntryId = "again", CloudEvent = Delivered("ce-republished", Data(entries[0])) });
        bulk.Entries.Add(new TopicEventBulkRequestEntry { EntryId = "poison", CloudEvent = Delivered("ce-poison", "{}"u8.ToArray()) });

        var subscriptions = await callback.ListTopicSubscriptionsAsync();
        var first = await callback.OnBulkTopicEventAlpha1Async(bulk);
        var second = await callback.OnBulkTopicEventAlpha1Async(bulk);
        await server.CaughtUpAsync();
        using var http = server.Http();
        using var found = JsonDocument.Parse(await http.GetStringAsync($"audit/entries?patient={patient}"));

        var audit = Assert.Single(subscriptions.Subscriptions, s => s.Topic == AuditTopics.Audit);
        Assert.True(audit.BulkSubscribe.Enabled);
        var (success, drop) = (TopicEventResponse.Types.TopicEventResponseStatus.Success, TopicEventResponse.Types.TopicEventResponseStatus.Drop);
        Assert.All(new[] { first, second }, response => Assert.Equal(
            [("e0", success), ("e1", success), ("e2", success), ("again", success), ("poison", drop)], response.Statuses.Select(s => (s.EntryId, s.Status))));
        Assert.Equal(entries.Select(e => e.EntryId.ToString()).Order(),
            found.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("entry").GetProperty("entryId").GetString()).Order());
    }

    [Fact]
    public async Task GivenForgedEntries_WhenDeliveredOverTheAppCallback_ThenEachIsRefusedAndTheChainNeitherGrowsNorBreaks()
    {
        await using var server = await AuditServer.StartAsync(storage);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        // With the app API token itself: the signatures must hold even where the token has leaked.
        var callback = new AppCallbackClient(channel.CreateCallInvoker().Sending(TestAppApiToken.Value));
        var log = server.Services.GetRequiredService<AuditLog>();
        var patient = Guid.NewGuid().ToString();
        using var stranger = AuditSigningKey.Generate();
        var genuine = TestEmitters.Record.Sign(Entries.Read(patient));
        var backDated = Entries.Read(patient, userId: "G6666666", at: DateTimeOffset.UtcNow.AddYears(-1));
        var forgeries = new Dictionary<string, AuditIntegrationEventsV1.AuditEntryRecorded>
        {
            ["unsigned"] = AuditEntryMessages.ToIntegrationEvent(TestEmitters.Record.Sign(backDated)) with { KeyId = null, Signature = null },
            ["wrong key"] = AuditEntryMessages.ToIntegrationEvent(stranger.Sign(backDated)),
            ["another service's key"] = AuditEntryMessages.ToIntegrationEvent(TestEmitters.Identity.Sign(backDated)),
            ["tampered after signing"] = AuditEntryMessages.ToIntegrationEvent(TestEmitters.Record.Sign(Entries.Read(patient))) with
            {
                OccurredAt = backDated.OccurredAt, UserId = "G6666666", Outcome = 200, AccessGrounds = "break-glass",
            },
        };
        TopicEventRequest Delivery(string id, AuditIntegrationEventsV1.AuditEntryRecorded message) => new()
        {
            Id = id, Source = "record", Type = "chronicle.audit.entry-recorded.v1", SpecVersion = "1.0", DataContentType = "application/json",
            Data = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(message, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)),
            Topic = AuditTopics.Audit, PubsubName = "pubsub",
        };
        var bulk = new TopicEventBulkRequest { Id = "bulk-forged", PubsubName = "pubsub", Topic = AuditTopics.Audit, Type = "com.dapr.event.sent.bulk" };
        bulk.Entries.Add(forgeries.Select(f => new TopicEventBulkRequestEntry
        {
            EntryId = f.Key,
            CloudEvent = new TopicEventCERequest
            {
                Id = $"bulk-{f.Key}", Source = "record", Type = "chronicle.audit.entry-recorded.v1", SpecVersion = "1.0",
                DataContentType = "application/json", Data = Delivery(f.Key, f.Value).Data,
            },
        }));
        var (headBefore, _) = await log.GetHeadAsync();

        var one = new Dictionary<string, TopicEventResponse.Types.TopicEventResponseStatus>();
        foreach (var (name, forged) in forgeries)
            one[name] = (await callback.OnTopicEventAsync(Delivery(name, forged))).Status;
        var bulked = await callback.OnBulkTopicEventAlpha1Async(bulk);
        var (headAfter, _) = await log.GetHeadAsync();
        var genuineDelivered = await callback.OnTopicEventAsync(Delivery("genuine", AuditEntryMessages.ToIntegrationEvent(genuine)));
        var (headGenuine, _) = await log.GetHeadAsync();
        await server.CaughtUpAsync();
        using var http = server.Http();
        using var found = JsonDocument.Parse(await http.GetStringAsync($"audit/entries?patient={patient}"));
        using var verify = JsonDocument.Parse(await http.GetStringAsync("audit/verify"));

        var drop = TopicEventResponse.Types.TopicEventResponseStatus.Drop;
        Assert.All(forgeries.Keys, name => Assert.Equal((name, drop), (name, one[name])));
        Assert.All(bulked.Statuses, status => Assert.Equal((status.EntryId, drop), (status.EntryId, status.Status)));
        Assert.Equal(headBefore, headAfter);
        Assert.Equal(TopicEventResponse.Types.TopicEventResponseStatus.Success, genuineDelivered.Status);
        Assert.Equal(headAfter + 1, headGenuine);
        var chained = Assert.Single(found.RootElement.GetProperty("entries").EnumerateArray());
        Assert.Equal(genuine.Entry.EntryId.ToString(), chained.GetProperty("entry").GetProperty("entryId").GetString());
        Assert.True(verify.RootElement.GetProperty("intact").GetBoolean(), verify.RootElement.GetProperty("summary").GetString());
        Assert.Equal(0, verify.RootElement.GetProperty("unsignedLinks").GetInt64());
        Assert.Equal(verify.RootElement.GetProperty("linksChecked").GetInt64(), verify.RootElement.GetProperty("signaturesChecked").GetInt64());
    }

    [Fact]
    public async Task GivenAServedChain_WhenStopped_ThenTheVerifyCommandTrustsThePublishedPublicKeyAndFindsItIntact()
    {
        var server = await AuditServer.StartAsync(storage, "--Chronicle:Checkpoints:EveryEntries=2");
        var settings = server.Settings;
        await server.IngestAsync(Enumerable.Range(0, 3).Select(_ => Entries.Read(Guid.NewGuid().ToString())));
        await server.DisposeAsync(); // shutting down signs a last checkpoint
        var output = new StringWriter();

        var recordKey = Path.Combine(settings.DataDirectory, "record.pub.pem");
        await File.WriteAllTextAsync(recordKey, TestEmitters.Record.PublicKeyPem);
        var code = await AuditCommandLine.RunAsync(
            ["verify", "--sqlite", Path.Combine(settings.DataDirectory, "events.db"), "--key", settings.PublicKeyPath, "--emitter", $"record={recordKey}"],
            output, new StringWriter());

        Assert.True(code == 0, output.ToString());
        Assert.StartsWith("INTACT: 3 links", output.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", await File.ReadAllTextAsync(settings.PublicKeyPath), StringComparison.Ordinal);
    }
}
