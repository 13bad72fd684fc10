using System.Net;
using System.Net.Sockets;
using Chronicle.Contracts.IntegrationEvents;
using Chronicle.Contracts.IntegrationEvents.Record;
using Chronicle.EventStore;
using Chronicle.Messaging.Direct;
using Chronicle.Messaging.Publishing;
using Chronicle.Messaging.Receiving;
using Chronicle.Projections;
using Chronicle.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chronicle.Messaging.Tests;

/// <summary>
/// One Chronicle app on a real Kestrel socket (HTTP/2 cleartext on loopback), wired the way a service wires messaging:
/// configuration picks the transport, the app serves Dapr's app callback on its gRPC port.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private TestApp(WebApplication app, string appId, int port)
    {
        _app = app;
        AppId = appId;
        Port = port;
    }

    public string AppId { get; }
    public int Port { get; }
    public Uri Address => new($"http://127.0.0.1:{Port}");
    public IServiceProvider Services => _app.Services;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<TestApp> StartAsync(string appId, int port, IReadOnlyDictionary<string, string?> configuration,
        Action<IServiceCollection, MessagingBuilder> configure, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(configuration) { ["Chronicle:AppId"] = appId });
        var messaging = builder.Services.AddChronicleMessaging(builder.Configuration);
        configure(builder.Services, messaging);
        var app = builder.Build();
        app.MapAppCallback();
        map?.Invoke(app);
        await app.StartAsync();
        return new TestApp(app, appId, port);
    }

    /// <summary>Another app on a socket of its own (a stand-in sidecar), stopped the same way.</summary>
    public static TestApp Wrap(WebApplication app, string appId, int port) => new(app, appId, port);

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
            return;
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}

/// <summary>
/// The three apps of a messaging scenario under the direct transport: "record" publishes its event store through the
/// outbox relay, "audit" projects the record's integration events, "deadletters" watches the dead-letter topic.
/// </summary>
public sealed class MessagingScenario : IAsyncDisposable
{
    public const string Publisher = "record";
    public const string Consumer = "audit";
    public const string Observer = "deadletters";

    private readonly Dictionary<string, string?> _faults;

    private MessagingScenario(ScenarioDatabases databases, Dictionary<string, string?> faults)
    {
        Databases = databases;
        _faults = faults;
    }

    public ScenarioDatabases Databases { get; }
    public HandlerFaults HandlerFaults { get; } = new();

    /// <summary>The app API token every app of the scenario expects and every broker sends, as the launcher hands out one per run.</summary>
    public string AppApiToken { get; init; } = TestAppApiToken.Value;

    /// <summary>When set before the consumer starts, it bulk-subscribes to the record topic and handles bulks in one transaction.</summary>
    public BulkSubscribeOptions? ConsumerBulk { get; init; }
    public DeliveryCounter ConsumerDeliveries { get; } = new();
    public int ConsumerPort { get; } = TestApp.FreePort();
    public int ObserverPort { get; } = TestApp.FreePort();
    public TestApp? PublisherApp { get; private set; }
    public TestApp? ConsumerApp { get; private set; }
    public TestApp? ObserverApp { get; private set; }

    public OutboxRelay Relay => PublisherApp!.Services.GetRequiredService<OutboxRelay>();
    public DirectEventPublisher PublisherBroker => PublisherApp!.Services.GetRequiredService<DirectEventPublisher>();

    /// <summary>Faults for the publisher's broker: duplicates, reordering, lost deliveries and acknowledgements, delay.</summary>
    public static Dictionary<string, string?> Faulty(int seed) => new()
    {
        ["Chronicle:Direct:Faults:DuplicateRate"] = "0.3",
        ["Chronicle:Direct:Faults:ReorderWindow"] = "8",
        ["Chronicle:Direct:Faults:TransientFailureRate"] = "0.3",
        ["Chronicle:Direct:Faults:MaxDelay"] = "00:00:00.002",
        ["Chronicle:Direct:Faults:Seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static async Task<MessagingScenario> CreateAsync(StorageBackend backend, Dictionary<string, string?>? faults = null,
        BulkSubscribeOptions? consumerBulk = null, string? appApiToken = null) =>
        new(await ScenarioDatabases.CreateAsync(backend), faults ?? [])
        {
            ConsumerBulk = consumerBulk, AppApiToken = appApiToken ?? TestAppApiToken.Value,
        };

    public async Task StartAllAsync()
    {
        await StartObserverAsync();
        await StartConsumerAsync();
        await StartPublisherAsync();
    }

    public async Task StartObserverAsync() =>
        ObserverApp = await TestApp.StartAsync(Observer, ObserverPort, Direct(Observer), (services, messaging) =>
        {
            services.AddSingleton(Databases.ObserverDatabase);
            messaging.Subscribe<DeadLetteredV1, DeadLetterRecorder>();
        });

    public async Task StartConsumerAsync() =>
        ConsumerApp = await TestApp.StartAsync(Consumer, ConsumerPort, Direct(Consumer, Observer), (services, messaging) =>
        {
            services.AddSingleton(Databases.ConsumerDatabase);
            services.AddSingleton(HandlerFaults);
            services.AddGrpc(grpc => grpc.Interceptors.Add<DeliveryCounter>());
            services.AddSingleton(ConsumerDeliveries);
            messaging.AddIntegrationEvents(RecordIntegrationEventsJsonContext.Catalog());
            if (ConsumerBulk is null)
            {
                messaging.Subscribe<RecordIntegrationEventsV1.PatientRegistered, RecordFactsConsumer>()
                    .Subscribe<RecordIntegrationEventsV1.PatientDemographicsUpdated, RecordFactsConsumer>()
                    .Subscribe<RecordIntegrationEventsV1.ClinicalEntryRecorded, RecordFactsConsumer>()
                    .Subscribe<RecordIntegrationEventsV1.EntryMarkedEnteredInError, RecordFactsConsumer>();
            }
            else
            {
                services.AddScoped<RecordFactsConsumer>();
                messaging.SubscribeBatches<RecordIntegrationEventsV1.PatientRegistered, RecordFactsBatchConsumer>()
                    .SubscribeBatches<RecordIntegrationEventsV1.PatientDemographicsUpdated, RecordFactsBatchConsumer>()
                    .SubscribeBatches<RecordIntegrationEventsV1.ClinicalEntryRecorded, RecordFactsBatchConsumer>()
                    .SubscribeBatches<RecordIntegrationEventsV1.EntryMarkedEnteredInError, RecordFactsBatchConsumer>()
                    .BulkSubscribe<RecordIntegrationEventsV1.PatientRegistered>(ConsumerBulk);
            }
        });

    public async Task StartPublisherAsync()
    {
        var configuration = Direct(Publisher, Consumer, Observer);
        foreach (var (key, value) in _faults)
            configuration[key] = value;
        PublisherApp = await TestApp.StartAsync(Publisher, TestApp.FreePort(), configuration, (services, messaging) =>
        {
            services.AddSingleton(Databases.Store);
            services.AddSingleton(Databases.PublisherDatabase);
            messaging.AddIntegrationEvents(RecordIntegrationEventsJsonContext.Catalog())
                .AddOutboxRelay<TestRecordMapper>(new OutboxRelayOptions
                {
                    BatchSize = 10,
                    MinRetryDelay = TimeSpan.FromMilliseconds(20),
                    MaxRetryDelay = TimeSpan.FromMilliseconds(200),
                });
        });
    }

    /// <summary>Waits until the consumer has applied <paramref name="count"/> events and nothing is left to deliver.</summary>
    public async Task WaitUntilSettledAsync(long count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var applied = await ConsumerState.CountAppliedAsync(Databases.ConsumerDatabase);
            if (applied >= count && await PublisherBroker.CountPendingAsync() == 0)
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The consumer applied {applied} of {count} events in time.");
            await Task.Delay(50);
        }
    }

    public async Task WaitUntilAppliedAsync(long count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await ConsumerState.CountAppliedAsync(Databases.ConsumerDatabase) < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The consumer did not reach {count} applied events in time.");
            await Task.Delay(20);
        }
    }

    private Dictionary<string, string?> Direct(string self, params string[] others)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Chronicle:Transport"] = "direct",
            [TestAppApiToken.Setting] = AppApiToken,
            ["Chronicle:Direct:QueueDatabase"] = Databases.QueuePath(self),
            ["Chronicle:Direct:MinRetryDelay"] = "00:00:00.010",
            ["Chronicle:Direct:MaxRetryDelay"] = "00:00:00.200",
        };
        foreach (var other in others)
        {
            var port = other switch { Consumer => ConsumerPort, Observer => ObserverPort, _ => throw new ArgumentOutOfRangeException(nameof(others)) };
            configuration[$"Chronicle:Apps:{other}:Grpc"] = $"http://127.0.0.1:{port}";
        }

        return configuration;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { PublisherApp, ConsumerApp, ObserverApp })
        {
            if (app is not null)
                await app.StopAsync();
        }

        await Databases.DisposeAsync();
    }
}

/// <summary>
/// A consumer app alone (with the dead-letter observer) and raw app callback clients: <see cref="Client"/> calls it as its
/// sidecar does (with the app API token), <see cref="Stranger"/> as anyone else who reaches its gRPC port (without).
/// </summary>
public sealed record ConsumerUnderTest(MessagingScenario Scenario, GrpcChannel Channel, AppCallbackClient Client, AppCallbackClient Stranger)
    : IAsyncDisposable
{
    public static async Task<ConsumerUnderTest> StartAsync(StorageBackend backend, string? appApiToken = null,
        BulkSubscribeOptions? bulk = null)
    {
        var scenario = await MessagingScenario.CreateAsync(backend, consumerBulk: bulk, appApiToken: appApiToken);
        await scenario.StartObserverAsync();
        await scenario.StartConsumerAsync();
        var channel = GrpcChannel.ForAddress(scenario.ConsumerApp!.Address);
        return new ConsumerUnderTest(scenario, channel, new AppCallbackClient(channel.CreateCallInvoker().Sending(scenario.AppApiToken)),
            new AppCallbackClient(channel.CreateCallInvoker()));
    }

    /// <summary>A client that sends <paramref name="token"/> as the app API token.</summary>
    public AppCallbackClient WithToken(string token) => new(Channel.CreateCallInvoker().Sending(token));

    /// <summary>A valid registration of a patient with <paramref name="nhsNumber"/> (ten digits, or not, to make poison).</summary>
    public static RecordIntegrationEventsV1.PatientRegistered RegisteredPatient(string nhsNumber) =>
        new(Guid.CreateVersion7(), 0, DateTimeOffset.UtcNow, nhsNumber, "A81001", "Jones", ["Bea"], new DateOnly(1990, 5, 17));

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Scenario.DisposeAsync();
    }
}
