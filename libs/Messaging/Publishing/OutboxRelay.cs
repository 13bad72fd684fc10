using Chronicle.Contracts.IntegrationEvents;
using Chronicle.EventStore;
using Chronicle.Projections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chronicle.Messaging.Publishing;

/// <summary>
/// Says which integration events a committed domain event announces. It must be pure and deterministic (the relay maps an
/// event again after a crash and the result must be the same), and it yields at most one event of each integration event
/// type per domain event, because the CloudEvent id is derived from the domain event's id and that type.
/// <para>
/// A service may have several: its own, and one a library registers for the streams it owns (auditing's, for the audit
/// outbox). The relay publishes what all of them make of each event, so each must map only the streams it knows.
/// </para>
/// </summary>
public interface IIntegrationEventMapper
{
    /// <summary>The integration events for <paramref name="recorded"/>; none for an event that stays inside the service.</summary>
    IEnumerable<object> Map(RecordedEvent recorded);
}

public sealed record OutboxRelayOptions
{
    /// <summary>The relay's checkpoint key; stable for the life of the service.</summary>
    public string Name { get; init; } = "outbox-relay";

    /// <summary>Events read per page; the checkpoint moves after each page is published.</summary>
    public int BatchSize { get; init; } = 100;

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Once caught up, how long appends may gather before they are published: every publish is a durable write at the
    /// transport (a sync), so under a stream of single appends (audit entries, one per read) a short wait lets one publish
    /// carry many. It delays delivery by at most this much; a full page goes at once.
    /// </summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The wait after a first failed publish; it doubles with each further failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The event store is the outbox: this relay follows the global log from a durable checkpoint and publishes each page of
/// committed domain events' integration events (in one bulk where the transport takes bulks), then moves the checkpoint. The checkpoint only moves after every event before it was
/// accepted by the transport, so a crash re-publishes (with the same deterministic CloudEvent ids) and never loses one:
/// at-least-once, and consumers' inboxes make it exactly-once in effect.
/// </summary>
public sealed partial class OutboxRelay : BackgroundService
{
    private readonly IEventStore _store;
    private readonly ReadModelDatabase _checkpoints;
    private readonly IReadOnlyList<IIntegrationEventMapper> _mappers;
    private readonly IntegrationEventCatalog _catalog;
    private readonly IEventPublisher _publisher;
    private readonly MessagingOptions _messaging;
    private readonly OutboxRelayOptions _options;
    private readonly ILogger _logger;
    private readonly CheckpointSignal _checkpoint = new();

    // CloudEvent ids a partly failed bulk got accepted, so the page's retry sends only the rest; forgotten once the
    // checkpoint passes them (and on a restart, when the whole page is simply published again).
    private readonly HashSet<string> _acceptedAhead = new(StringComparer.Ordinal);

    public OutboxRelay(IEventStore store, ReadModelDatabase checkpoints, IEnumerable<IIntegrationEventMapper> mappers, IntegrationEventCatalog catalog,
        IEventPublisher publisher, IOptions<MessagingOptions> messaging, OutboxRelayOptions options, ILogger<OutboxRelay> logger)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _checkpoints = checkpoints ?? throw new ArgumentNullException(nameof(checkpoints));
        _mappers = [.. mappers ?? throw new ArgumentNullException(nameof(mappers))];
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _messaging = messaging?.Value ?? throw new ArgumentNullException(nameof(messaging));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        ArgumentException.ThrowIfNullOrWhiteSpace(_messaging.AppId, "Chronicle:AppId");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.MinRetryDelay, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxRetryDelay, _options.MinRetryDelay, nameof(options));
    }

    /// <summary>The last durable checkpoint this relay wrote or read.</summary>
    public LogPosition Checkpoint => _checkpoint.Current;

    /// <summary>Completes once everything up to <paramref name="position"/> is published and checkpointed.</summary>
    public Task WaitForCheckpointAsync(LogPosition position, CancellationToken cancellationToken = default) =>
        _checkpoint.WaitForAsync(position, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = _options.MinRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            var from = Checkpoint;
            try
            {
                await _checkpoints.EnsureCheckpointTableAsync(stoppingToken).ConfigureAwait(false);
                from = await _checkpoints.ReadCheckpointAsync(_options.Name, stoppingToken).ConfigureAwait(false);
                Advance(from);
                var subscription = EventSubscription.Start(_store, from, PublishPageAsync,
                    new SubscriptionOptions { BatchSize = _options.BatchSize, MaxPollInterval = _options.MaxPollInterval, Linger = _options.Linger });
                await using (subscription.ConfigureAwait(false))
                    await subscription.Completion.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A relay that got somewhere before failing starts its back-off afresh.
                if (Checkpoint > from)
                    delay = _options.MinRetryDelay;
                if (e is Direct.DirectTransportUnavailableException or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Unavailable })
                    LogTransportUnavailable(_logger, _options.Name, Checkpoint, delay, e.Message);
                else
                    LogPublishFailed(_logger, e, _options.Name, Checkpoint, delay);
                try
                {
                    await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    private async Task PublishPageAsync(IReadOnlyList<RecordedEvent> page, CancellationToken cancellationToken)
    {
        var outgoing = new List<OutgoingEvent>();
        var spans = new List<System.Diagnostics.Activity>();
        foreach (var recorded in page)
        {
            var types = new HashSet<string>(StringComparer.Ordinal);
            foreach (var integrationEvent in _mappers.SelectMany(mapper => mapper.Map(recorded)))
            {
                var type = _catalog.Get(integrationEvent.GetType()).Name;
                if (!types.Add(type))
                    throw new InvalidOperationException(
                        $"The mapper announced event {recorded.EventId} with two {type} events; their CloudEvent ids would collide.");
                var id = DeterministicEventId.ForIntegrationEvent(recorded.EventId, type);
                var next = OutgoingEvent.For(_catalog, integrationEvent, id, _messaging.AppId, _messaging.PubSubName);
                var traceParent = recorded.Metadata.TraceParent;
                if (MessagingTelemetry.StartPublish(next.Topic, traceParent) is { } span)
                {
                    spans.Add(span);
                    traceParent = span.Id;
                }

                outgoing.Add(next with { TraceParent = traceParent });
            }
        }

        // The page goes as one bulk where the transport takes bulks; the checkpoint moves only once all of it is accepted.
        var pending = outgoing.Where(e => !_acceptedAhead.Contains(e.Id)).ToList();
        try
        {
            if (pending.Count > 0)
                await _publisher.PublishAllAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (PartialPublishException partial)
        {
            _acceptedAhead.UnionWith(partial.AcceptedIds);
            EndSpans(spans, failed: true);
            throw;
        }
        catch
        {
            EndSpans(spans, failed: true);
            throw;
        }

        EndSpans(spans, failed: false);
        var now = DateTimeOffset.UtcNow;
        foreach (var recorded in page)
            MessagingTelemetry.RecordOutboxLag(_options.Name, recorded.RecordedAt, now);

        var last = page[^1].LogPosition;
        // Rebuildable: a checkpoint lost to a power cut only means the page after the last synced one is published again,
        // under the same CloudEvent ids, which consumers' inboxes (and the audit chain) recognise. It saves a sync per page.
        await _checkpoints.AdvanceCheckpointAsync(_options.Name, last, WriteDurability.Rebuildable, cancellationToken).ConfigureAwait(false);
        _acceptedAhead.Clear();
        Advance(last);
    }

    private void Advance(LogPosition position) => _checkpoint.Advance(position);

    private static void EndSpans(List<System.Diagnostics.Activity> spans, bool failed)
    {
        foreach (var span in spans)
        {
            if (failed)
                span.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
            span.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay {Relay} could not publish after {Checkpoint}; retrying from its durable checkpoint in {Delay}")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string relay, LogPosition checkpoint, TimeSpan delay);

    /// <summary>The transport cannot take events yet (a subscriber is starting, the sidecar is not up): one line, no stack trace.</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay {Relay} waits for the transport after {Checkpoint}; retrying in {Delay}: {Reason}")]
    private static partial void LogTransportUnavailable(ILogger logger, string relay, LogPosition checkpoint, TimeSpan delay, string reason);
}
