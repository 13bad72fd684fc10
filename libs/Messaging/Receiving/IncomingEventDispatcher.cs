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
/// retried. If the dead letter itself cannot be published the event is retried rather than lost.
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
        if (!string.Equals(incoming.PubSubName, _options.PubSubName, StringComparison.Ordinal)
            || !_subscriptions.TryGet(incoming.Topic, out var subscription))
            return await RefuseAsync(incoming, $"This app has no subscription to topic '{incoming.Topic}' of pub/sub '{incoming.PubSubName}'.",
                null, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(incoming.Id))
            return await RefuseAsync(incoming, "The event has no id.", null, cancellationToken).ConfigureAwait(false);
        if (!_catalog.TryGet(incoming.Type, out var eventType))
            return await RefuseAsync(incoming, $"Unknown event type '{incoming.Type}'.", null, cancellationToken).ConfigureAwait(false);
        if (!subscription.Handlers.TryGetValue(incoming.Type, out var handler))
        {
            LogIgnored(_logger, incoming.Id, incoming.Type, incoming.Topic);
            return DeliveryOutcome.Success;
        }

        if (!IsJson(incoming.DataContentType))
            return await RefuseAsync(incoming, $"Content type '{incoming.DataContentType}' is not JSON.", null, cancellationToken)
                .ConfigureAwait(false);
        object body;
        try
        {
            body = IntegrationEventCatalog.Deserialize(eventType, incoming.Data);
        }
        catch (JsonException e)
        {
            return await RefuseAsync(incoming, $"The body does not fit {incoming.Type}: {e.Message}", null, cancellationToken)
                .ConfigureAwait(false);
        }

        try
        {
            return await HandleAsync(incoming, $"{_options.AppId}:{incoming.PubSubName}/{incoming.Topic}", handler, body, cancellationToken)
                .ConfigureAwait(false);
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

            await handler.Invoke(scope.ServiceProvider, body, new IncomingEventContext(incoming, write, _database.Dialect), cancellationToken)
                .ConfigureAwait(false);
            await write.CommitAsync(cancellationToken).ConfigureAwait(false);
            return DeliveryOutcome.Success;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} ({Type}) on topic {Topic} refused as poison and dead-lettered: {Reason}")]
    private static partial void LogRefused(ILogger logger, Exception? exception, string eventId, string type, string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} could not be dead-lettered to {DeadLetterTopic}; asking for redelivery instead")]
    private static partial void LogDeadLetterFailed(ILogger logger, Exception exception, string eventId, string deadLetterTopic);
}
