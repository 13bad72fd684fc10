using Chronicle.Messaging.Receiving;
using Chronicle.Testing;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Chronicle.Audit.Chain;
using Chronicle.Audit.Host;
using Chronicle.Auditing;
using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.Messaging;
using Chronicle.Messaging.Direct;
using Chronicle.Messaging.Publishing;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chronicle.Audit.Benchmarks;

/// <summary>
/// Entries delivered to the Audit service in bulks, as the sidecar (or the direct transport) does for its bulk
/// subscription: OnBulkTopicEventAlpha1 calls over gRPC, each bulk one inbox transaction and one chain append.
/// </summary>
internal static class BulkIngestRate
{
    public static async Task<IReadOnlyList<Rate>> MeasureAsync(string dataDirectory, int count, TextWriter progress)
    {
        await using var host = await IngestRate.StartAuditAsync(dataDirectory);
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress);
        var callback = new AppCallbackClient(channel.CreateCallInvoker().Sending(TestAppApiToken.Value));
        var rates = new List<Rate>();
        foreach (var (size, callers) in new[] { (10, 1), (100, 1), (500, 1), (100, 4) })
        {
            progress.WriteLine($"Delivering {count} entries in bulks of {size}, {callers} at a time...");
            var bulks = IngestRate.Entries(count).Chunk(size).Select(Bulk).ToList();
            var started = Stopwatch.GetTimestamp();
            await IngestRate.RunConcurrentlyAsync(callers, bulks.Count, async i =>
            {
                var response = await callback.OnBulkTopicEventAlpha1Async(bulks[i]);
                if (response.Statuses.FirstOrDefault(s => s.Status != TopicEventResponse.Types.TopicEventResponseStatus.Success) is { } failed)
                    throw new InvalidOperationException($"Entry {failed.EntryId} answered {failed.Status}.");
            });
            rates.Add(new Rate($"OnBulkTopicEventAlpha1 over gRPC (inbox + chain), bulks of {size}, {callers} concurrent", count,
                Stopwatch.GetElapsedTime(started), "entries/s"));
        }

        rates.Add(await MeasureDirectTransportAsync(host, Path.Combine(dataDirectory, "publisher"), count, progress));
        return rates;
    }

    /// <summary>
    /// The whole local path after the outbox: pages of 100 entries published to the direct transport (one queue commit
    /// each), delivered in bulks through the Audit service's bulk callback, until the last is chained.
    /// </summary>
    private static async Task<Rate> MeasureDirectTransportAsync(RunningAuditHost audit, string folder, int count, TextWriter progress)
    {
        progress.WriteLine($"Publishing {count} entries through the direct transport to the Audit service...");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chronicle:AppId"] = "record", ["Chronicle:Transport"] = "direct", [TestAppApiToken.Setting] = TestAppApiToken.Value,
            ["Chronicle:Direct:QueueDatabase"] = Path.Combine(folder, "direct-broker.db"),
            ["Chronicle:Apps:audit:Grpc"] = audit.GrpcAddress.ToString(),
        });
        builder.Services.AddChronicleMessaging(builder.Configuration);
        await using var publisher = builder.Build();
        await publisher.StartAsync();
        var broker = publisher.Services.GetRequiredService<DirectEventPublisher>();
        var log = audit.Services.GetRequiredService<AuditLog>();
        var catalog = AuditIntegrationEventsJsonContext.Catalog();
        var pages = IngestRate.Entries(count)
            .Select(entry => OutgoingEvent.For(catalog, AuditEntryMessages.ToIntegrationEvent(entry), Guid.NewGuid().ToString(), "record", "pubsub"))
            .Chunk(100).ToList();
        var (before, _) = await log.GetHeadAsync();

        var started = Stopwatch.GetTimestamp();
        foreach (var page in pages)
            await broker.PublishAllAsync(page);
        while ((await log.GetHeadAsync()).Seq < before + count)
            await Task.Delay(10);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await publisher.StopAsync();
        return new Rate("Direct transport end to end: pages of 100 published, bulks delivered, inbox + chain", count, elapsed, "entries/s");
    }

    private static TopicEventBulkRequest Bulk(SignedAuditEntry[] entries)
    {
        var request = new TopicEventBulkRequest
        {
            Id = Guid.NewGuid().ToString(), PubsubName = "pubsub", Topic = AuditTopics.Audit, Type = "com.dapr.event.sent.bulk",
        };
        for (var i = 0; i < entries.Length; i++)
        {
            request.Entries.Add(new TopicEventBulkRequestEntry
            {
                EntryId = i.ToString(CultureInfo.InvariantCulture), ContentType = "application/cloudevents+json",
                CloudEvent = new TopicEventCERequest
                {
                    Id = Guid.NewGuid().ToString(), Source = "record", Type = "chronicle.audit.entry-recorded.v1", SpecVersion = "1.0",
                    DataContentType = "application/json",
                    Data = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(AuditEntryMessages.ToIntegrationEvent(entries[i]),
                        AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)),
                },
            });
        }

        return request;
    }
}
