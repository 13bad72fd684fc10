using System.Data.Common;
using Chronicle.Projections;

namespace Chronicle.Messaging.Receiving;

/// <summary>
/// Handles one integration event type. It does its effect only through <see cref="IncomingEventContext"/>'s transaction,
/// which also records the event id in the inbox: the effect and "seen" commit together, so each event takes effect once.
/// Throw <see cref="InvalidIntegrationEventException"/> for an event that can never be handled (it is dead-lettered) and
/// <see cref="TransientEventFailureException"/> (or let a transient database or network error through) to be asked again.
/// </summary>
public interface IIntegrationEventHandler<in TEvent>
    where TEvent : class
{
    Task HandleAsync(TEvent integrationEvent, IncomingEventContext context, CancellationToken cancellationToken);
}

/// <summary>
/// Handles a bulk of one integration event type at once (Dapr bulk subscribe), in one transaction that also records every
/// event id in the inbox: one commit for the whole batch instead of one per event. Events already handled are left out.
/// Call <see cref="BatchedEvent{TEvent}.Refuse"/> for an event that can never be handled and do none of its effect: it
/// alone is dead-lettered (DROP) and the rest commit; <see cref="BatchedEvent{TEvent}.RetryLater"/> for one that cannot be
/// handled now (it alone is answered RETRY). Throw <see cref="TransientEventFailureException"/> (or let a
/// transient error through) to have the whole batch delivered again. Any other exception rolls the batch back and each of
/// its events is handled again alone, so a poison event that throws is dead-lettered without its neighbours.
/// </summary>
public interface IIntegrationEventBatchHandler<TEvent>
    where TEvent : class
{
    Task HandleBatchAsync(IReadOnlyList<BatchedEvent<TEvent>> batch, IncomingBatchContext context, CancellationToken cancellationToken);
}

/// <summary>The consumer's open database transaction that a delivery's effect is done in, with the topic it came on.</summary>
public abstract class IncomingTransactionContext
{
    private protected IncomingTransactionContext(string pubSubName, string topic, WriteTransaction transaction, SqlDialect dialect)
    {
        PubSubName = pubSubName;
        Topic = topic;
        Transaction = transaction;
        Dialect = dialect;
    }

    public string Topic { get; }
    public string PubSubName { get; }

    /// <summary>The transaction the inbox entries are written in; commit and rollback belong to the dispatcher.</summary>
    public WriteTransaction Transaction { get; }

    public SqlDialect Dialect { get; }

    /// <summary>A command in the delivery's transaction; parameters are referenced as @name.</summary>
    public DbCommand CreateCommand(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        Transaction.CreateCommand(sql, parameters);
}

/// <summary>The CloudEvent being handled and the consumer's open database transaction to do the effect in.</summary>
public sealed class IncomingEventContext : IncomingTransactionContext
{
    internal IncomingEventContext(IncomingEvent incoming, WriteTransaction transaction, SqlDialect dialect)
        : base(incoming.PubSubName, incoming.Topic, transaction, dialect)
    {
        EventId = incoming.Id;
        Source = incoming.Source;
        Type = incoming.Type;
    }

    public string EventId { get; }
    public string Source { get; }
    public string Type { get; }
}

/// <summary>The transaction a batch of events is handled in.</summary>
public sealed class IncomingBatchContext : IncomingTransactionContext
{
    internal IncomingBatchContext(string pubSubName, string topic, WriteTransaction transaction, SqlDialect dialect)
        : base(pubSubName, topic, transaction, dialect)
    {
    }
}

/// <summary>One event of a batch: its body, its CloudEvent attributes, and the way to refuse it alone.</summary>
public sealed class BatchedEvent<TEvent>
    where TEvent : class
{
    private readonly IncomingBatchItem _item;

    internal BatchedEvent(IncomingBatchItem item) => _item = item;

    public TEvent Event => (TEvent)_item.Body;
    public string EventId => _item.Incoming.Id;
    public string Source => _item.Incoming.Source;
    public string Type => _item.Incoming.Type;

    /// <summary>Marks the event as poison: it is dead-lettered with <paramref name="reason"/> and its inbox entry is not kept.</summary>
    public void Refuse(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _item.Refusal = reason;
    }

    /// <summary>The event cannot take effect now but may later: it alone is delivered again. Do none of its effect.</summary>
    public void RetryLater(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _item.RetryReason = reason;
    }
}

/// <summary>An admitted event of a bulk on its way to a batch handler.</summary>
internal sealed class IncomingBatchItem(IncomingEvent incoming, object body)
{
    public IncomingEvent Incoming { get; } = incoming;
    public object Body { get; } = body;
    public string? Refusal { get; set; }
    public string? RetryReason { get; set; }

    /// <summary>Neither refused nor put off: its effect is in the batch's transaction.</summary>
    public bool Handled => Refusal is null && RetryReason is null;
}

/// <summary>The event breaks its contract or a rule of the consumer: retrying cannot help, so it is dead-lettered.</summary>
public sealed class InvalidIntegrationEventException(string reason) : Exception(reason);

/// <summary>The handler cannot do its effect now but may later (a dependency is down): the transport retries.</summary>
public sealed class TransientEventFailureException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>The CloudEvent attributes of a delivery, as the sidecar (or the direct transport) hands them over.</summary>
internal sealed record IncomingEvent(
    string PubSubName, string Topic, string Id, string Source, string Type, string SpecVersion, string DataContentType, byte[] Data)
{
    /// <summary>The W3C trace context the event carries (its CloudEvent <c>traceparent</c>), if any.</summary>
    public string? TraceParent { get; init; }
}
