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

/// <summary>The CloudEvent being handled and the consumer's open database transaction to do the effect in.</summary>
public sealed class IncomingEventContext
{
    internal IncomingEventContext(IncomingEvent incoming, WriteTransaction transaction, SqlDialect dialect)
    {
        EventId = incoming.Id;
        Source = incoming.Source;
        Type = incoming.Type;
        Topic = incoming.Topic;
        PubSubName = incoming.PubSubName;
        Transaction = transaction;
        Dialect = dialect;
    }

    public string EventId { get; }
    public string Source { get; }
    public string Type { get; }
    public string Topic { get; }
    public string PubSubName { get; }

    /// <summary>The transaction the inbox entry is written in; commit and rollback belong to the dispatcher.</summary>
    public WriteTransaction Transaction { get; }

    public SqlDialect Dialect { get; }

    /// <summary>A command in the event's transaction; parameters are referenced as @name.</summary>
    public DbCommand CreateCommand(string sql, params ReadOnlySpan<(string Name, object? Value)> parameters) =>
        Transaction.CreateCommand(sql, parameters);
}

/// <summary>The event breaks its contract or a rule of the consumer: retrying cannot help, so it is dead-lettered.</summary>
public sealed class InvalidIntegrationEventException(string reason) : Exception(reason);

/// <summary>The handler cannot do its effect now but may later (a dependency is down): the transport retries.</summary>
public sealed class TransientEventFailureException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>The CloudEvent attributes of a delivery, as the sidecar (or the direct transport) hands them over.</summary>
internal sealed record IncomingEvent(
    string PubSubName, string Topic, string Id, string Source, string Type, string SpecVersion, string DataContentType, byte[] Data);
