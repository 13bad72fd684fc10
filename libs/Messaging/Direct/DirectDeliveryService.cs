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
/// real OnTopicEvent over gRPC. SUCCESS and DROP remove the event; RETRY, an unreachable app or a failed call keep it and
/// try again after a doubling back-off while later events go on (so a retried event arrives out of order, as under Dapr).
/// Configured faults add duplicates, reordering, lost deliveries and acknowledgements, and delay.
/// </summary>
public sealed partial class DirectDeliveryService(DirectEventPublisher broker, ILogger<DirectDeliveryService> logger) : BackgroundService
{
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);

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
                var due = await broker.Queue.TakeDueAsync(app, DateTimeOffset.UtcNow, broker.Faults.BatchSize, stoppingToken).ConfigureAwait(false);
                if (due.Count == 0)
                {
                    var next = await broker.Queue.NextDueAtAsync(app, stoppingToken).ConfigureAwait(false);
                    var wait = next is { } dueAt ? Clamp(dueAt - DateTimeOffset.UtcNow) : IdleWait;
                    await signal.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                broker.Faults.Reorder(due);
                foreach (var delivery in due)
                    await DeliverAsync(client, delivery, stoppingToken).ConfigureAwait(false);
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

    private async Task DeliverAsync(AppCallbackClient client, QueuedDelivery delivery, CancellationToken stoppingToken)
    {
        var faults = broker.Faults;
        var delay = faults.NextDelay();
        if (delay > TimeSpan.Zero)
            await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
        if (faults.FailsBeforeDelivery())
        {
            await RetryLaterAsync(delivery, "injected failure before delivery", stoppingToken).ConfigureAwait(false);
            return;
        }

        TopicEventResponseStatus status;
        try
        {
            var response = await client.OnTopicEventAsync(ToRequest(delivery.Event),
                new CallOptions(deadline: DateTime.UtcNow + broker.Options.Direct.CallTimeout, cancellationToken: stoppingToken)).ConfigureAwait(false);
            status = response.Status;
        }
        catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
        {
            await RetryLaterAsync(delivery, $"{e.StatusCode}: {e.Status.Detail}", stoppingToken).ConfigureAwait(false);
            return;
        }

        if (status is not (TopicEventResponseStatus.Success or TopicEventResponseStatus.Drop))
        {
            await RetryLaterAsync(delivery, $"the app answered {status}", stoppingToken).ConfigureAwait(false);
            return;
        }

        if (faults.LosesAcknowledgement())
        {
            await RetryLaterAsync(delivery, "injected loss of the acknowledgement", stoppingToken).ConfigureAwait(false);
            return;
        }

        if (faults.Duplicates())
        {
            var later = DateTimeOffset.UtcNow + broker.Options.Direct.MinRetryDelay * faults.NextDouble();
            await broker.Queue.EnqueueAsync(delivery.Event, [delivery.Subscriber], later, stoppingToken).ConfigureAwait(false);
        }

        await broker.Queue.CompleteAsync(delivery.Sequence, stoppingToken).ConfigureAwait(false);
        if (status == TopicEventResponseStatus.Drop)
            LogDropped(logger, delivery.Event.Id, delivery.Event.Type, delivery.Subscriber);
    }

    private async Task RetryLaterAsync(QueuedDelivery delivery, string reason, CancellationToken stoppingToken)
    {
        var options = broker.Options.Direct;
        var attempts = delivery.Attempts + 1;
        var backOff = TimeSpan.FromTicks(Math.Min(options.MaxRetryDelay.Ticks,
            options.MinRetryDelay.Ticks * (1L << Math.Min(attempts - 1, 20))));
        // Jitter keeps retried events from arriving in lockstep.
        var wait = backOff * (0.5 + broker.Faults.NextDouble() / 2);
        LogRetrying(logger, delivery.Event.Id, delivery.Subscriber, attempts, reason, wait);
        await broker.Queue.RetryLaterAsync(delivery.Sequence, attempts, DateTimeOffset.UtcNow + wait, stoppingToken).ConfigureAwait(false);
    }

    private static TopicEventRequest ToRequest(OutgoingEvent outgoing) => new()
    {
        Id = outgoing.Id,
        Source = outgoing.Source,
        Type = outgoing.Type,
        SpecVersion = "1.0",
        DataContentType = outgoing.DataContentType,
        Data = ByteString.CopyFrom(outgoing.Data),
        Topic = outgoing.Topic,
        PubsubName = outgoing.PubSubName,
    };

    private static TimeSpan Clamp(TimeSpan wait) =>
        wait <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : wait > IdleWait ? IdleWait : wait;

    [LoggerMessage(Level = LogLevel.Debug, Message = "Direct transport: event {EventId} to {App}, attempt {Attempts} failed ({Reason}); retrying in {Wait}")]
    private static partial void LogRetrying(ILogger logger, string eventId, string app, int attempts, string reason, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Direct transport: {App} dropped event {EventId} ({Type})")]
    private static partial void LogDropped(ILogger logger, string eventId, string type, string app);

    [LoggerMessage(Level = LogLevel.Error, Message = "Direct transport: delivery to {App} failed; resuming")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception, string app);
}
