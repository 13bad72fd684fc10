using System.Text.Json;
using Chronicle.Contracts.IntegrationEvents;
using Chronicle.Messaging.Publishing;
using Chronicle.Projections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chronicle.Messaging.Receiving;

/// <summary>What the app tells the sidecar about a delivery (Dapr's TopicEventResponseStatus).</summary>
public enum DeliveryOutcome
{
    /// <summary>Handled, or already handled before, or of a type this app does not handle.</summary>
    Success,

    /// <summary>Failed in a way that may pass: deliver it again later.</summary>
    Retry,

    /// <summary>Poison: it can never be handled. It has been published to the dead-letter topic with the reason.</summary>
    Drop,
}

/// <summary>
/// Routes each delivered CloudEvent by topic and type to its handler, inside a database transaction that also records the
/// event in the inbox. Poison (an unknown topic or type, a body that does not fit the contract, a validation failure, a
/// non-transient handler failure) is published to the dead-letter topic with the reason and dropped; a transient failure is
/// retried. If the dead letter itself cannot be published the event is retried rather than lost. A bulk (Dapr bulk
/// subscribe) gets an outcome per entry; its events for a batch handler share one transaction.
/// </summary>
public sealed partial class IncomingEventDispatcher
{
    private readonly SubscriptionTable _subscriptions;
    private readonly IntegrationEventCatalog _catalog;
    private readonly ReadModelDatabase _database;
    private readonly IEventPublisher _publisher;
    private readonly ITransientFailureClassifier _classifier;
    private readonly IServiceScopeFactory _scopes;
    private readonly MessagingOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _inboxGate = new(1, 1);
    private volatile bool _inboxReady;

    public IncomingEventDispatcher(SubscriptionTable subscriptions, IntegrationEventCatalog catalog, ReadModelDatabase database,
        IEventPublisher publisher, ITransientFailureClassifier classifier, IServiceScopeFactory scopes,
        IOptions<MessagingOptions> options, ILogger<IncomingEventDispatcher> logger)
    {
        _subscriptions = subscriptions;
        _catalog = catalog;
        _database = database;
        _publisher = publisher;
        _classifier = classifier;
        _scopes = scopes;
        _options = options.Value;
        _logger = logger;
        ArgumentException.ThrowIfNullOrWhiteSpace(_options.AppId, "Chronicle:AppId");
    }

    internal async Task<DeliveryOutcome> DispatchAsync(IncomingEvent incoming, CancellationToken cancellationToken)
    {
        using var span = MessagingTelemetry.StartConsume(incoming.Topic, incoming.Type, incoming.TraceParent, makeCurrent: true);
        var admission = Admit(incoming);
        var outcome = admission.Handler is { InvokeBatch: not null } batchHandler
            ? (await HandleBatchAsync(batchHandler, [new IncomingBatchItem(incoming, admission.Body!)], cancellationToken).ConfigureAwait(false))[0]
            : await DispatchAdmittedAsync(incoming, admission, cancellationToken).ConfigureAwait(false);
        Settle(span, outcome);
        return outcome;
    }

    private static void Settle(System.Diagnostics.Activity? span, DeliveryOutcome outcome)
    {
        if (span is null)
            return;
        span.SetTag("chronicle.delivery.outcome", outcome.ToString());
        if (outcome != DeliveryOutcome.Success)
            span.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
    }

    /// <summary>
    /// A bulk delivery (OnBulkTopicEventAlpha1): one outcome per entry, in order. Entries for a batch handler are handled
    /// together, one transaction per handler; the others one by one as <see cref="DispatchAsync"/> would. An id repeated
    /// within the bulk is handled once and every copy gets that outcome.
    /// </summary>
    internal async Task<IReadOnlyList<DeliveryOutcome>> DispatchBulkAsync(IReadOnlyList<IncomingEvent> entries, CancellationToken cancellationToken)
    {
        var spans = entries.Select(e => MessagingTelemetry.StartConsume(e.Topic, e.Type, e.TraceParent, makeCurrent: false)).ToArray();
        try
        {
            var outcomes = await DispatchEntriesAsync(entries, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < spans.Length; i++)
                Settle(spans[i], outcomes[i]);
            return outcomes;
        }
        finally
        {
            foreach (var span in spans)
                span?.Dispose();
        }
    }

    private async Task<DeliveryOutcome[]> DispatchEntriesAsync(IReadOnlyList<IncomingEvent> entries, CancellationToken cancellationToken)
    {
        var outcomes = new DeliveryOutcome[entries.Count];
        var firstOfId = new Dictionary<(string, string, string), int>();
        var copies = new List<(int Index, int First)>();
        var batches = new Dictionary<HandlerRegistration, List<(int Index, IncomingBatchItem Item)>>();
        for (var i = 0; i < entries.Count; i++)
        {
            var incoming = entries[i];
            if (incoming.Id.Length > 0 && !firstOfId.TryAdd((incoming.PubSubName, incoming.Topic, incoming.Id), i))
            {
                copies.Add((i, firstOfId[(incoming.PubSubName, incoming.Topic, incoming.Id)]));
                continue;
            }

            var admission = Admit(incoming);
            if (admission.Handler is { InvokeBatch: not null } batchHandler)
            {
                if (!batches.TryGetValue(batchHandler, out var batch))
                    batches.Add(batchHandler, batch = []);
                batch.Add((i, new IncomingBatchItem(incoming, admission.Body!)));
            }
            else
            {
                outcomes[i] = await DispatchAdmittedAsync(incoming, admission, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var (handler, batch) in batches)
        {
            var results = await HandleBatchAsync(handler, [.. batch.Select(b => b.Item)], cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < batch.Count; j++)
                outcomes[batch[j].Index] = results[j];
        }

        foreach (var (index, first) in copies)
        {
            LogDuplicate(_logger, entries[index].Id, entries[index].Type);
            outcomes[index] = outcomes[first];
        }

        return outcomes;
    }

    /// <summary>What to do with a delivered event: refuse it (with why), ignore it (no handler), or hand its body to a handler.</summary>
    private readonly record struct Admission(HandlerRegistration? Handler, object? Body, string? Refusal);

    private Admission Admit(IncomingEvent incoming)
    {
        if (!string.Equals(incoming.PubSubName, _options.PubSubName, StringComparison.Ordinal)
            || !_subscriptions.TryGet(incoming.Topic, out var subscription))
            return new(null, null, $"This app has no subscription to topic '{incoming.Topic}' of pub/sub '{incoming.PubSubName}'.");
        if (string.IsNullOrWhiteSpace(incoming.Id))
            return new(null, null, "The event has no id.");
        if (!_catalog.TryGet(incoming.Type, out var eventType))
            return new(null, null, $"Unknown event type '{incoming.Type}'.");
        // Pub/sub scopes keep other apps from publishing to an owned topic under Dapr; this holds even where they do not.
        if ((_options.TopicOwners.GetValueOrDefault(eventType.Topic) ?? eventType.Owner) is { } owner
            && !string.Equals(incoming.Source, owner, StringComparison.Ordinal))
            return new(null, null, $"{incoming.Type} is published only by '{owner}'; this one came from '{incoming.Source}'.");
        if (!subscription.Handlers.TryGetValue(incoming.Type, out var handler))
        {
            LogIgnored(_logger, incoming.Id, incoming.Type, incoming.Topic);
            return default;
        }

        if (!IsJson(incoming.DataContentType))
            return new(null, null, $"Content type '{incoming.DataContentType}' is not JSON.");
        try
        {
            return new(handler, IntegrationEventCatalog.Deserialize(eventType, incoming.Data), null);
        }
        catch (JsonException e)
        {
            return new(null, null, $"The body does not fit {incoming.Type}: {e.Message}");
        }
    }

    private async Task<DeliveryOutcome> DispatchAdmittedAsync(IncomingEvent incoming, Admission admission, CancellationToken cancellationToken)
    {
        if (admission.Refusal is { } reason)
            return await RefuseAsync(incoming, reason, null, cancellationToken).ConfigureAwait(false);
        if (admission.Handler is not { } handler)
            return DeliveryOutcome.Success;
        try
        {
            return await HandleAsync(incoming, ConsumerOf(incoming), handler, admission.Body!, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidIntegrationEventException e)
        {
            return await RefuseAsync(incoming, $"Invalid {incoming.Type}: {e.Message}", null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || _classifier.IsTransient(e))
        {
            LogRetrying(_logger, e, incoming.Id, incoming.Type);
            return DeliveryOutcome.Retry;
        }
        catch (Exception e)
        {
            return await RefuseAsync(incoming, $"The handler failed: {e.GetType().Name}: {e.Message}", e, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private string ConsumerOf(IncomingEvent incoming) => $"{_options.AppId}:{incoming.PubSubName}/{incoming.Topic}";

    private async Task<DeliveryOutcome> HandleAsync(IncomingEvent incoming, string consumer, HandlerRegistration handler, object body,
        CancellationToken cancellationToken)
    {
        await EnsureInboxAsync(cancellationToken).ConfigureAwait(false);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
            if (!await Inbox.TryRecordAsync(write, consumer, incoming, cancellationToken).ConfigureAwait(false))
            {
                LogDuplicate(_logger, incoming.Id, incoming.Type);
                return DeliveryOutcome.Success;
            }

            await handler.Invoke!(scope.ServiceProvider, body, new IncomingEventContext(incoming, write, _database.Dialect), cancellationToken)
                .ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
            return DeliveryOutcome.Success;
        }
    }

    /// <summary>
    /// Handles events of one type (and topic) in one transaction with their inbox entries. A transient failure retries them
    /// all; any other failure of a batch of several splits it, so poison is found and refused alone.
    /// </summary>
    private async Task<DeliveryOutcome[]> HandleBatchAsync(HandlerRegistration handler, IReadOnlyList<IncomingBatchItem> items,
        CancellationToken cancellationToken)
    {
        var first = items[0].Incoming;
        var outcomes = new DeliveryOutcome[items.Count];
        foreach (var item in items)
            (item.Refusal, item.RetryReason) = (null, null);
        try
        {
            await CommitBatchAsync(handler, ConsumerOf(first), items, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || _classifier.IsTransient(e))
        {
            LogBatchRetrying(_logger, e, items.Count, first.Type);
            Array.Fill(outcomes, DeliveryOutcome.Retry);
            return outcomes;
        }
        catch (Exception e) when (items.Count > 1)
        {
            LogBatchSplit(_logger, e, items.Count, first.Type);
            for (var i = 0; i < items.Count; i++)
                outcomes[i] = (await HandleBatchAsync(handler, [items[i]], cancellationToken).ConfigureAwait(false))[0];
            return outcomes;
        }
        catch (InvalidIntegrationEventException e)
        {
            outcomes[0] = await RefuseAsync(first, $"Invalid {first.Type}: {e.Message}", null, cancellationToken).ConfigureAwait(false);
            return outcomes;
        }
        catch (Exception e)
        {
            outcomes[0] = await RefuseAsync(first, $"The handler failed: {e.GetType().Name}: {e.Message}", e, cancellationToken)
                .ConfigureAwait(false);
            return outcomes;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var incoming = items[i].Incoming;
            if (items[i].Refusal is { } reason)
            {
                outcomes[i] = await RefuseAsync(incoming, $"Invalid {incoming.Type}: {reason}", null, cancellationToken).ConfigureAwait(false);
            }
            else if (items[i].RetryReason is { } retry)
            {
                LogPutOff(_logger, incoming.Id, incoming.Type, retry);
                outcomes[i] = DeliveryOutcome.Retry;
            }
            else
            {
                outcomes[i] = DeliveryOutcome.Success;
            }
        }

        return outcomes;
    }

    private async Task CommitBatchAsync(HandlerRegistration handler, string consumer, IReadOnlyList<IncomingBatchItem> items,
        CancellationToken cancellationToken)
    {
        await EnsureInboxAsync(cancellationToken).ConfigureAwait(false);
        var scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            await using var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
            // Inbox rows in id order, so two bulks sharing events lock them in the same order (no deadlock on PostgreSQL).
            var seen = new HashSet<IncomingBatchItem>();
            foreach (var item in items.OrderBy(item => item.Incoming.Id, StringComparer.Ordinal))
            {
                if (!await Inbox.TryRecordAsync(write, consumer, item.Incoming, cancellationToken).ConfigureAwait(false))
                {
                    seen.Add(item);
                    LogDuplicate(_logger, item.Incoming.Id, item.Incoming.Type);
                }
            }

            var fresh = items.Where(item => !seen.Contains(item)).ToList();

            if (fresh.Count == 0)
                return;
            var first = fresh[0].Incoming;
            await handler.InvokeBatch!(scope.ServiceProvider, fresh, new IncomingBatchContext(first.PubSubName, first.Topic, write, _database.Dialect),
                cancellationToken).ConfigureAwait(false);
            foreach (var unhandled in fresh.Where(item => !item.Handled))
                await Inbox.ForgetAsync(write, consumer, unhandled.Incoming.Id, cancellationToken).ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<DeliveryOutcome> RefuseAsync(IncomingEvent incoming, string reason, Exception? exception,
        CancellationToken cancellationToken)
    {
        LogRefused(_logger, exception, incoming.Id, incoming.Type, incoming.Topic, reason);
        // Poison on the dead-letter topic itself is only logged: dead-lettering it there again would loop.
        if (string.Equals(incoming.Topic, _options.DeadLetterTopic, StringComparison.Ordinal))
            return DeliveryOutcome.Drop;
        var deadLetter = new DeadLetteredV1(_options.AppId, reason, DateTimeOffset.UtcNow, incoming.PubSubName, incoming.Topic,
            incoming.Id, incoming.Source, incoming.Type, incoming.DataContentType, incoming.Data);
        var id = DeterministicEventId.FromName($"dead-letter|{_options.AppId}|{incoming.PubSubName}/{incoming.Topic}|{incoming.Id}").ToString("D");
        try
        {
            var outgoing = OutgoingEvent.For(_catalog, deadLetter, id, _options.AppId, _options.PubSubName) with { Topic = _options.DeadLetterTopic };
            await _publisher.PublishAsync(outgoing, cancellationToken).ConfigureAwait(false);
            return DeliveryOutcome.Drop;
        }
        catch (Exception e)
        {
            LogDeadLetterFailed(_logger, e, incoming.Id, _options.DeadLetterTopic);
            return DeliveryOutcome.Retry;
        }
    }

    private async Task EnsureInboxAsync(CancellationToken cancellationToken)
    {
        if (_inboxReady)
            return;
        await _inboxGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_inboxReady)
                await Inbox.CreateTableAsync(_database, cancellationToken).ConfigureAwait(false);
            _inboxReady = true;
        }
        finally
        {
            _inboxGate.Release();
        }
    }

    // CloudEvents: an absent datacontenttype means JSON; "+json" suffixes (application/cloudevents+json) are JSON too.
    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Length == 0
            || mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} of type {Type} on topic {Topic} has no handler here; acknowledged")]
    private static partial void LogIgnored(ILogger logger, string eventId, string type, string topic);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} ({Type}) was already handled; acknowledged again")]
    private static partial void LogDuplicate(ILogger logger, string eventId, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} ({Type}) failed transiently; asking for redelivery")]
    private static partial void LogRetrying(ILogger logger, Exception exception, string eventId, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "A batch of {Count} {Type} events failed transiently; asking for redelivery of them all")]
    private static partial void LogBatchRetrying(ILogger logger, Exception exception, int count, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} ({Type}) of a batch was put off by its handler ({Reason}); asking for redelivery")]
    private static partial void LogPutOff(ILogger logger, string eventId, string type, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} {Type} events failed; handling each alone to find the poison")]
    private static partial void LogBatchSplit(ILogger logger, Exception exception, int count, string type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} ({Type}) on topic {Topic} refused as poison and dead-lettered: {Reason}")]
    private static partial void LogRefused(ILogger logger, Exception? exception, string eventId, string type, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} could not be dead-lettered to {DeadLetterTopic}; asking for redelivery instead")]
    private static partial void LogDeadLetterFailed(ILogger logger, Exception exception, string eventId, string deadLetterTopic);
}
