using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.Messaging.Publishing;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sidecar = Dapr.Client.Autogen.Grpc.v1;
using Chronicle.Testing;

namespace Chronicle.Messaging.Tests;

/// <summary>
/// The outbox relay under the Dapr transport publishes a page in one BulkPublishEvent call, against a stand-in sidecar on a
/// real gRPC socket (no daprd runs here) that fails chosen entries once, as a bulk publish may.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class DaprBulkPublishTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GivenASidecarFailingSomeEntriesOnce_WhenTheRelayPublishes_ThenOnlyThoseAreSentAgainAndEveryEventArrivesWithItsId(bool stableApi)
    {
        var workload = new RecordWorkload(patients: 5);
        var expected = workload.ExpectedIntegrationEventIds();
        var sidecar = new StandInSidecar(failOnce: [.. expected.Where((_, i) => i % 4 == 1)], stableApi);
        await using var sidecarApp = await StartSidecarAsync(sidecar);
        await using var databases = await ScenarioDatabases.CreateAsync(StorageBackend.Sqlite);
        await using var publisher = await TestApp.StartAsync("record", TestApp.FreePort(), new Dictionary<string, string?>
        {
            ["Chronicle:Transport"] = "dapr",
            ["APP_API_TOKEN"] = "injected-by-dapr",
            ["Chronicle:Dapr:GrpcEndpoint"] = $"http://127.0.0.1:{sidecarApp.Port}",
        }, (services, messaging) =>
        {
            services.AddSingleton(databases.Store);
            services.AddSingleton(databases.PublisherDatabase);
            messaging.AddIntegrationEvents(RecordIntegrationEventsJsonContext.Catalog())
                .AddOutboxRelay<TestRecordMapper>(new OutboxRelayOptions
                {
                    BatchSize = 50, MinRetryDelay = TimeSpan.FromMilliseconds(20), MaxRetryDelay = TimeSpan.FromMilliseconds(100),
                });
        });

        var last = await workload.AppendAllAsync(databases.Store);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await publisher.Services.GetRequiredService<OutboxRelay>().WaitForCheckpointAsync(last, timeout.Token);

        var received = sidecar.Received.ToList();
        Assert.Equal(expected, received.Select(e => e.Id).Order(StringComparer.Ordinal));
        Assert.All(sidecar.Sent.GroupBy(id => id), sent => Assert.Equal(sidecar.FailOnce.Contains(sent.Key) ? 2 : 1, sent.Count()));
        Assert.All(received, e => Assert.Equal(("record", RecordTopics.Record, "1.0"), (e.Source, e.Topic, e.SpecVersion)));
        Assert.All(received, e => Assert.True(e.Data.TryGetProperty("patientId", out _), "The event's data is not the integration event's JSON."));
        Assert.True(sidecar.Calls < sidecar.Sent.Count, $"{sidecar.Calls} calls for {received.Count} entries: nothing was published in bulk.");
    }

    private static async Task<TestApp> StartSidecarAsync(StandInSidecar sidecar)
    {
        var port = TestApp.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(sidecar);
        builder.Services.AddSingleton<BulkPublishService>();
        var app = builder.Build();
        app.MapGrpcService<BulkPublishService>();
        await app.StartAsync();
        return TestApp.Wrap(app, "sidecar", port);
    }
}

/// <summary>What a Dapr sidecar does with BulkPublishEvent, as far as the relay can tell: accepts entries, or reports some failed.</summary>
public sealed class StandInSidecar(IReadOnlyCollection<string> failOnce, bool stableApi)
{
    private readonly ConcurrentDictionary<string, bool> _failed = new(StringComparer.Ordinal);
    private int _calls;

    public IReadOnlyCollection<string> FailOnce { get; } = failOnce;
    public bool StableApi { get; } = stableApi;
    /// <summary>The CloudEvents the sidecar accepted.</summary>
    public ConcurrentQueue<ReceivedCloudEvent> Received { get; } = new();

    /// <summary>The id of every entry sent, accepted or failed.</summary>
    public ConcurrentQueue<string> Sent { get; } = new();
    public int Calls => Volatile.Read(ref _calls);

    public Task<Sidecar.BulkPublishResponse> PublishAsync(Sidecar.BulkPublishRequest request)
    {
        Interlocked.Increment(ref _calls);
        var response = new Sidecar.BulkPublishResponse();
        foreach (var entry in request.Entries)
        {
            using var cloudEvent = JsonDocument.Parse(entry.Event.Memory);
            var root = cloudEvent.RootElement;
            var id = root.GetProperty("id").GetString()!;
            Sent.Enqueue(id);
            if (entry.ContentType != "application/cloudevents+json")
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Entry {entry.EntryId} is not a CloudEvent."));
            if (FailOnce.Contains(id) && _failed.TryAdd(id, true))
            {
                response.FailedEntries.Add(new Sidecar.BulkPublishResponseFailedEntry { EntryId = entry.EntryId, Error = "broker hiccup" });
                continue;
            }

            Received.Enqueue(new ReceivedCloudEvent(id, root.GetProperty("source").GetString()!, request.Topic,
                root.GetProperty("specversion").GetString()!, root.GetProperty("data").Clone()));
        }

        return Task.FromResult(response);
    }
}

public sealed record ReceivedCloudEvent(string Id, string Source, string Topic, string SpecVersion, JsonElement Data);

/// <summary>
/// The sidecar's bulk publish rpcs (dapr.proto.runtime.v1.Dapr), bound by hand because Dapr.Protos ships only the Dapr
/// service's client. Without the stable API it answers BulkPublishEvent Unimplemented, as a sidecar that predates it does.
/// </summary>
[BindServiceMethod(typeof(BulkPublishServiceBase), nameof(BindService))]
public abstract class BulkPublishServiceBase
{
    public virtual Task<Sidecar.BulkPublishResponse> BulkPublishEvent(Sidecar.BulkPublishRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "unknown method BulkPublishEvent"));

    public virtual Task<Sidecar.BulkPublishResponse> BulkPublishEventAlpha1(Sidecar.BulkPublishRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "unknown method BulkPublishEventAlpha1"));

    public static void BindService(ServiceBinderBase binder, BulkPublishServiceBase? service)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddMethod(Method("BulkPublishEvent"), service is null ? null! : service.BulkPublishEvent);
        binder.AddMethod(Method("BulkPublishEventAlpha1"), service is null ? null! : service.BulkPublishEventAlpha1);
    }

    private static Method<Sidecar.BulkPublishRequest, Sidecar.BulkPublishResponse> Method(string name) => new(MethodType.Unary,
        Sidecar.Dapr.Descriptor.FullName, name,
        Marshallers.Create(m => Google.Protobuf.MessageExtensions.ToByteArray(m), Sidecar.BulkPublishRequest.Parser.ParseFrom),
        Marshallers.Create(m => Google.Protobuf.MessageExtensions.ToByteArray(m), Sidecar.BulkPublishResponse.Parser.ParseFrom));
}

public sealed class BulkPublishService(StandInSidecar sidecar) : BulkPublishServiceBase
{
    public override Task<Sidecar.BulkPublishResponse> BulkPublishEvent(Sidecar.BulkPublishRequest request, ServerCallContext context) =>
        sidecar.StableApi ? sidecar.PublishAsync(request) : base.BulkPublishEvent(request, context);

    public override Task<Sidecar.BulkPublishResponse> BulkPublishEventAlpha1(Sidecar.BulkPublishRequest request, ServerCallContext context) =>
        sidecar.PublishAsync(request);
}
