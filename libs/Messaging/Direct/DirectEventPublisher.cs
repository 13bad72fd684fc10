using System.Collections.Concurrent;
using Chronicle.Messaging.Publishing;
using Chronicle.Messaging.Receiving;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chronicle.Messaging.Direct;

/// <summary>The direct transport cannot accept a publish yet (an app's subscriptions are unknown); publishing it again later may succeed.</summary>
public sealed class DirectTransportUnavailableException(string message, Exception? innerException = null)
    : Exception(message, innerException);

/// <summary>
/// Plays the Dapr sidecar's publishing part where none runs. It learns what each configured app subscribes to by calling
/// the app's real ListTopicSubscriptions over gRPC, and accepts a publish by committing one queued delivery per subscribing
/// app to its SQLite file (a page of events in one transaction, as Dapr's BulkPublishEvent takes them in one call);
/// <see cref="DirectDeliveryService"/> then calls each app's real OnTopicEvent, or its bulk callback where it bulk-subscribes. A publish is refused
/// (and the outbox relay tries again) while some configured app has never answered, so no subscriber is skipped.
/// </summary>
public sealed partial class DirectEventPublisher : IEventPublisher, IAsyncDisposable
{
    private readonly MessagingOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _signals = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, IReadOnlyList<SubscribedTopic>>? _known;

    public DirectEventPublisher(IOptions<MessagingOptions> options, ILogger<DirectEventPublisher> logger)
    {
        _options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.AppId, "Chronicle:AppId");
        Queue = new DeliveryQueue(_options.Direct.QueueDatabase ?? Path.Combine("data", $"{_options.AppId}.direct-broker.db"));
        Faults = new FaultInjector(_options.Direct.Faults);
    }

    internal DeliveryQueue Queue { get; }

    internal FaultInjector Faults { get; }

    internal MessagingOptions Options => _options;

    /// <summary>The apps events can be delivered to: those configured with a gRPC address.</summary>
    internal IReadOnlyList<string> Apps => [.. _options.Apps.Where(app => app.Value.Grpc is not null).Select(app => app.Key)];

    public Task PublishAsync(OutgoingEvent outgoing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        return PublishAllAsync([outgoing], cancellationToken);
    }

    /// <summary>Accepts the events in one transaction, the direct transport's BulkPublishEvent: all are queued or none.</summary>
    public async Task PublishAllAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var known = await KnownSubscriptionsAsync(cancellationToken).ConfigureAwait(false);
        var queued = new List<(OutgoingEvent, IReadOnlyList<string>)>(events.Count);
        foreach (var outgoing in events)
        {
            var subscribers = known
                .Where(app => app.Value.Any(t => t.PubSubName == outgoing.PubSubName && t.Topic == outgoing.Topic))
                .Select(app => app.Key)
                .ToList();
            if (subscribers.Count > 0)
                queued.Add((outgoing, subscribers));
        }

        if (queued.Count == 0)
            return;
        await Queue.EnqueueAsync(queued, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
        foreach (var subscriber in queued.SelectMany(q => q.Item2).Distinct(StringComparer.Ordinal))
            Signal(subscriber);
    }

    /// <summary>Events accepted and not yet delivered (acknowledged) to every subscriber.</summary>
    public Task<long> CountPendingAsync(CancellationToken cancellationToken = default) => Queue.CountPendingAsync(cancellationToken);

    /// <summary>Asks every configured app for its subscriptions again; apps that do not answer keep what they last said.</summary>
    /// <summary>
    /// Opens the delivery queue's file and loads what is known of subscriptions, so the file exists
    /// (and takes the data directory's permissions) before the host reports itself started.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    internal async Task RefreshSubscriptionsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadAsync(cancellationToken).ConfigureAwait(false);
            foreach (var app in Apps)
            {
                try
                {
                    await DiscoverAsync(app, cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException e)
                {
                    LogDiscoveryFailed(_logger, app, e is Grpc.Core.RpcException rpc ? rpc.Status.Detail : e.Message);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    internal AppCallbackClient Client(string appId) => new(_channels.GetOrAdd(appId,
        id => GrpcChannel.ForAddress(_options.Apps[id].Grpc ?? throw new InvalidOperationException($"Chronicle:Apps:{id}:Grpc is not set.")))
        .CreateCallInvoker().Sending(AppApiToken.For(_options, appId)));

    /// <summary>What the app last said it subscribes to (nothing before it was first asked).</summary>
    internal IReadOnlyList<SubscribedTopic> TopicsOf(string appId) => _known?.GetValueOrDefault(appId) ?? [];

    internal SemaphoreSlim SignalFor(string appId) => _signals.GetOrAdd(appId, _ => new SemaphoreSlim(0, 1));

    private void Signal(string appId)
    {
        var signal = SignalFor(appId);
        if (signal.CurrentCount == 0)
        {
            try
            {
                signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another publish woke it first.
            }
        }
    }

    private async Task<IReadOnlyDictionary<string, IReadOnlyList<SubscribedTopic>>> KnownSubscriptionsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var known = await LoadAsync(cancellationToken).ConfigureAwait(false);
            List<string>? silent = null;
            RpcException? lastError = null;
            foreach (var app in Apps.Where(app => !known.ContainsKey(app)))
            {
                try
                {
                    await DiscoverAsync(app, cancellationToken).ConfigureAwait(false);
                }
                catch (RpcException e)
                {
                    (silent ??= []).Add(app);
                    lastError = e;
                }
            }

            if (silent is not null)
                throw new DirectTransportUnavailableException(
                    $"Cannot accept the event yet: {string.Join(", ", silent)} has not said what it subscribes to " +
                    $"(ListTopicSubscriptions failed: {lastError!.Status.Detail}).", lastError);
            return new Dictionary<string, IReadOnlyList<SubscribedTopic>>(known, StringComparer.Ordinal);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ConcurrentDictionary<string, IReadOnlyList<SubscribedTopic>>> LoadAsync(CancellationToken cancellationToken)
    {
        if (_known is null)
        {
            await Queue.InitializeAsync(cancellationToken).ConfigureAwait(false);
            _known = new(await Queue.LoadSubscriptionsAsync(cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        }

        return _known;
    }

    private async Task DiscoverAsync(string app, CancellationToken cancellationToken)
    {
        IReadOnlyList<SubscribedTopic> topics;
        try
        {
            var response = await Client(app).ListTopicSubscriptionsAsync(
                new CallOptions(deadline: DateTime.UtcNow + _options.Direct.CallTimeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
            topics = [.. response.Subscriptions.Select(s => new SubscribedTopic(s.PubsubName, s.Topic, s.DeadLetterTopic,
                s.BulkSubscribe is { Enabled: true } bulk
                    ? new BulkDelivery(bulk.MaxMessagesCount > 0 ? bulk.MaxMessagesCount : 100,
                        TimeSpan.FromMilliseconds(bulk.MaxAwaitDurationMs > 0 ? bulk.MaxAwaitDurationMs : 1000))
                    : null))];
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            // An app that serves no app callback subscribes to nothing.
            topics = [];
        }

        await Queue.SaveSubscriptionsAsync(app, topics, cancellationToken).ConfigureAwait(false);
        _known![app] = topics;
        LogDiscovered(_logger, app, string.Join(", ", topics.Select(t => t.Topic)));
    }

    public ValueTask DisposeAsync()
    {
        foreach (var channel in _channels.Values)
            channel.Dispose();
        _channels.Clear();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Direct transport: app {App} subscribes to [{Topics}]")]
    private static partial void LogDiscovered(ILogger logger, string app, string topics);

    /// <summary>A peer that is starting or down is expected in a local run: one line, no stack trace.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "Direct transport: app {App} did not list its subscriptions ({Reason}); keeping what it last said")]
    private static partial void LogDiscoveryFailed(ILogger logger, string app, string reason);
}
