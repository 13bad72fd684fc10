using System.Collections.Concurrent;
using System.Globalization;
using Chronicle.Messaging.Publishing;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types;

namespace Chronicle.Messaging.Direct;

/// <summary>
/// Delivers the direct broker's queued events the way a Dapr sidecar does: one worker per subscriber app calls the app's
/// real OnTopicEvent over gRPC, or, for a topic the app bulk-subscribes to, its real bulk callback with up to
/// max_messages_count events per call (waiting at most max_await_duration_ms to fill one). SUCCESS and DROP remove an
/// event; RETRY, an unreachable app or a failed call keep it and try again after a doubling back-off while later events go
/// on (so a retried event arrives out of order, as under Dapr). In a bulk each entry's status is honoured on its own.
/// Configured faults add duplicates, reordering, lost deliveries and acknowledgements, and delay.
/// </summary>
public sealed partial class DirectDeliveryService(DirectEventPublisher broker, ILogger<DirectDeliveryService> logger) : BackgroundService
{
    private const string BulkEventType = "com.dapr.event.sent.bulk";
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);

    /// <summary>Apps that answered Unimplemented to the stable OnBulkTopicEvent: called through OnBulkTopicEventAlpha1, as the sidecar falls back.</summary>
    private readonly ConcurrentDictionary<string, bool> _alphaBulkOnly = new(StringComparer.Ordinal);

    /// <summary>The queue is opened before the host finishes starting, not later on the background loop.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await broker.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await broker.RefreshSubscriptionsAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        await Task.WhenAll(broker.Apps.Select(app => DeliverToAsync(app, stoppingToken))).ConfigureAwait(false);
    }

    private async Task DeliverToAsync(string app, CancellationToken stoppingToken)
    {
        var signal = broker.SignalFor(app);
        var client = broker.Client(app);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var topics = broker.TopicsOf(app);
                var limit = Math.Max(broker.Faults.BatchSize, topics.Max(t => t.Bulk?.MaxMessagesCount) ?? 0);
                var due = await broker.Queue.TakeDueAsync(app, DateTimeOffset.UtcNow, limit, stoppingToken).ConfigureAwait(false);
                if (due.Count == 0)
                {
                    var next = await broker.Queue.NextDueAtAsync(app, stoppingToken).ConfigureAwait(false);
                    var wait = next is { } dueAt ? Clamp(dueAt - DateTimeOffset.UtcNow) : IdleWait;
                    await signal.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                due = await FillBulkAsync(app, signal, topics, due, limit, stoppingToken).ConfigureAwait(false);
                broker.Faults.Reorder(due);
                var settlement = new Settlement(broker, logger, app);
                foreach (var (topic, deliveries) in Plan(topics, due))
                {
                    if (topic?.Bulk is { } bulk)
                    {
                        foreach (var chunk in deliveries.Chunk(bulk.MaxMessagesCount))
                            await DeliverBulkAsync(client, app, topic, chunk, settlement, stoppingToken).ConfigureAwait(false);
                    }
                    else
                    {
                        foreach (var delivery in deliveries)
                            await DeliverAsync(client, delivery, settlement, stoppingToken).ConfigureAwait(false);
                    }
                }

                await settlement.CommitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogWorkerFailed(logger, e, app);
                try
                {
                    await Task.Delay(broker.Options.Direct.MinRetryDelay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Like the sidecar, waits up to the bulk subscription's max_await_duration_ms for a bulk to fill.</summary>
    private async Task<List<QueuedDelivery>> FillBulkAsync(string app, SemaphoreSlim signal, IReadOnlyList<SubscribedTopic> topics,
        List<QueuedDelivery> due, int limit, CancellationToken stoppingToken)
    {
        var awaits = due.Select(d => TopicOf(topics, d)?.Bulk?.MaxAwait).OfType<TimeSpan>().ToList();
        if (awaits.Count == 0 || due.Count >= limit)
            return due;
        var deadline = DateTimeOffset.UtcNow + awaits.Min();
        while (due.Count < limit && DateTimeOffset.UtcNow < deadline)
        {
            await signal.WaitAsync(Clamp(deadline - DateTimeOffset.UtcNow), stoppingToken).ConfigureAwait(false);
            due = await broker.Queue.TakeDueAsync(app, DateTimeOffset.UtcNow, limit, stoppingToken).ConfigureAwait(false);
        }

        return due;
    }

    /// <summary>The window's events by topic in order of first appearance; a topic the app no longer lists gets single deliveries.</summary>
    private static IEnumerable<(SubscribedTopic? Topic, List<QueuedDelivery> Deliveries)> Plan(IReadOnlyList<SubscribedTopic> topics,
        List<QueuedDelivery> due)
    {
        var groups = new List<(SubscribedTopic?, List<QueuedDelivery>)>();
        var byTopic = new Dictionary<(string, string), List<QueuedDelivery>>();
        foreach (var delivery in due)
        {
            var topic = TopicOf(topics, delivery);
            var key = (delivery.Event.PubSubName, delivery.Event.Topic);
            if (!byTopic.TryGetValue(key, out var list))
            {
                byTopic.Add(key, list = []);
                groups.Add((topic, list));
            }

            list.Add(delivery);
        }

        return groups;
    }

    private static SubscribedTopic? TopicOf(IReadOnlyList<SubscribedTopic> topics, QueuedDelivery delivery) =>
        topics.FirstOrDefault(t => t.PubSubName == delivery.Event.PubSubName && t.Topic == delivery.Event.Topic);

    private Task DeliverAsync(AppCallbackClient client, QueuedDelivery delivery, Settlement settlement, CancellationToken stoppingToken) =>
        CallAsync([delivery], async options =>
        {
            var response = await client.OnTopicEventAsync(AppCallbackClient.RequestOf(delivery.Event), options).ConfigureAwait(false);
            return _ => response.Status;
        }, settlement, stoppingToken);

    private Task DeliverBulkAsync(AppCallbackClient client, string app, SubscribedTopic topic, QueuedDelivery[] chunk,
        Settlement settlement, CancellationToken stoppingToken)
    {
        var request = new TopicEventBulkRequest
        {
            Id = Guid.NewGuid().ToString(), PubsubName = topic.PubSubName, Topic = topic.Topic, Type = BulkEventType,
        };
        foreach (var delivery in chunk)
        {
            var outgoing = delivery.Event;
            request.Entries.Add(new TopicEventBulkRequestEntry
            {
                EntryId = delivery.Sequence.ToString(CultureInfo.InvariantCulture),
                ContentType = "application/cloudevents+json",
                CloudEvent = new TopicEventCERequest
                {
                    Id = outgoing.Id, Source = outgoing.Source, Type = outgoing.Type, SpecVersion = "1.0",
                    DataContentType = outgoing.DataContentType, Data = ByteString.CopyFrom(outgoing.Data),
                    Extensions = MessagingTelemetry.ExtensionsWith(outgoing.TraceParent),
                },
            });
        }

        return CallAsync(chunk, async options =>
        {
            var response = await CallBulkAsync(client, app, request, options).ConfigureAwait(false);
            var statuses = response.Statuses.GroupBy(s => s.EntryId, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Status, StringComparer.Ordinal);
            // An entry the app left out of its answer is retried, as the sidecar does.
            return delivery => statuses.GetValueOrDefault(delivery.Sequence.ToString(CultureInfo.InvariantCulture), TopicEventResponseStatus.Retry);
        }, settlement, stoppingToken);
    }

    /// <summary>One call to the app for <paramref name="deliveries"/>, with the injected faults around it; the answer settles each.</summary>
    private async Task CallAsync(IReadOnlyList<QueuedDelivery> deliveries,
        Func<CallOptions, Task<Func<QueuedDelivery, TopicEventResponseStatus>>> call, Settlement settlement, CancellationToken stoppingToken)
    {
        var faults = broker.Faults;
        var delay = faults.NextDelay();
        if (delay > TimeSpan.Zero)
            await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
        if (faults.FailsBeforeDelivery())
        {
            settlement.RetryAll(deliveries, "injected failure before delivery");
            return;
        }

        Func<QueuedDelivery, TopicEventResponseStatus> statusOf;
        try
        {
            statusOf = await call(CallOptions(stoppingToken)).ConfigureAwait(false);
        }
        catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
        {
            settlement.RetryAll(deliveries, $"{e.StatusCode}: {e.Status.Detail}");
            return;
        }

        if (faults.LosesAcknowledgement())
        {
            settlement.RetryAll(deliveries, "injected loss of the acknowledgement");
            return;
        }

        foreach (var delivery in deliveries)
            settlement.Answered(delivery, statusOf(delivery));
    }

    private async Task<TopicEventBulkResponse> CallBulkAsync(AppCallbackClient client, string app, TopicEventBulkRequest request, CallOptions options)
    {
        if (!_alphaBulkOnly.ContainsKey(app))
        {
            try
            {
                return await client.OnBulkTopicEventAsync(request, options).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                _alphaBulkOnly[app] = true;
            }
        }

        return await client.OnBulkTopicEventAlpha1Async(request, options).ConfigureAwait(false);
    }

    private CallOptions CallOptions(CancellationToken stoppingToken) =>
        new(deadline: DateTime.UtcNow + broker.Options.Direct.CallTimeout, cancellationToken: stoppingToken);

    private static TimeSpan Clamp(TimeSpan wait) =>
        wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : wait > IdleWait ? IdleWait : wait;

    /// <summary>What a window of deliveries came to, written to the queue in one transaction.</summary>
    private sealed class Settlement(DirectEventPublisher broker, ILogger logger, string app)
    {
        private readonly List<long> _completed = [];
        private readonly List<(long, int, DateTimeOffset)> _retries = [];
        private readonly List<(QueuedDelivery, DateTimeOffset)> _duplicates = [];

        public void Answered(QueuedDelivery delivery, TopicEventResponseStatus status)
        {
            if (status is not (TopicEventResponseStatus.Success or TopicEventResponseStatus.Drop))
            {
                Retry(delivery, $"the app answered {status}");
                return;
            }

            var faults = broker.Faults;
            if (faults.Duplicates())
                _duplicates.Add((delivery, DateTimeOffset.UtcNow + broker.Options.Direct.MinRetryDelay * faults.NextDouble()));
            _completed.Add(delivery.Sequence);
            if (status == TopicEventResponseStatus.Drop)
                LogDropped(logger, delivery.Event.Id, delivery.Event.Type, app);
        }

        public void RetryAll(IEnumerable<QueuedDelivery> deliveries, string reason)
        {
            foreach (var delivery in deliveries)
                Retry(delivery, reason);
        }

        public void Retry(QueuedDelivery delivery, string reason)
        {
            var options = broker.Options.Direct;
            var attempts = delivery.Attempts + 1;
            var backOff = TimeSpan.FromTicks(Math.Min(options.MaxRetryDelay.Ticks,
                options.MinRetryDelay.Ticks * (1L << Math.Min(attempts - 1, 20))));
            // Jitter keeps retried events from arriving in lockstep.
            var wait = backOff * (0.5 + broker.Faults.NextDouble() / 2);
            LogRetrying(logger, delivery.Event.Id, app, attempts, reason, wait);
            _retries.Add((delivery.Sequence, attempts, DateTimeOffset.UtcNow + wait));
        }

        public Task CommitAsync(CancellationToken stoppingToken) =>
            broker.Queue.SettleAsync(_completed, _retries, _duplicates, stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Direct transport: event {EventId} to {App}, attempt {Attempts} failed ({Reason}); retrying in {Wait}")]
    private static partial void LogRetrying(ILogger logger, string eventId, string app, int attempts, string reason, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Direct transport: {App} dropped event {EventId} ({Type})")]
    private static partial void LogDropped(ILogger logger, string eventId, string type, string app);

    [LoggerMessage(Level = LogLevel.Error, Message = "Direct transport: delivery to {App} failed; resuming")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception, string app);
}
