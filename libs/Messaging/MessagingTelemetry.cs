using System.Diagnostics;
using System.Diagnostics.Metrics;
using Google.Protobuf.WellKnownTypes;

namespace Chronicle.Messaging;

/// <summary>
/// Messaging's traces and metrics, under <see cref="Name"/>. An event carries the W3C trace context of the request that
/// caused it (its <c>traceparent</c>, from the event's metadata): the relay's publish is a producer span in that trace, and
/// the consumer's handling a consumer span under the publish, so one trace follows a request to every handler it reaches.
/// </summary>
public static class MessagingTelemetry
{
    /// <summary>The ActivitySource and Meter name.</summary>
    public const string Name = "Chronicle.Messaging";

    /// <summary>The CloudEvent extension attribute (distributed tracing extension) and the Dapr publish metadata key.</summary>
    public const string TraceParentAttribute = "traceparent";

    private static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    private static readonly Histogram<double> OutboxLag = Meter.CreateHistogram<double>("chronicle.messaging.outbox.lag", "s",
        "From an event's append until the transport accepted its integration events.");

    /// <summary>A producer span for publishing one event, in the trace of the request that appended it; null when no one listens or it has none.</summary>
    internal static Activity? StartPublish(string topic, string? traceParent)
    {
        if (!Source.HasListeners() || !ActivityContext.TryParse(traceParent, null, out var parent))
            return null;
        var previous = Activity.Current;
        var activity = Source.StartActivity($"publish {topic}", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.system", "dapr");
        activity?.SetTag("messaging.destination.name", topic);
        Activity.Current = previous; // several are open at once, one per event of a page; none is the ambient one
        return activity;
    }

    internal static void RecordOutboxLag(string relay, DateTimeOffset recordedAt, DateTimeOffset now) =>
        OutboxLag.Record(Math.Max(0, (now - recordedAt).TotalSeconds), new KeyValuePair<string, object?>("chronicle.relay", relay));

    /// <summary>
    /// A consumer span for handling one delivered event, under its publish span when it carries a trace context (else under
    /// the ambient one: the sidecar's call). <paramref name="makeCurrent"/> false for the entries of a bulk, handled together.
    /// </summary>
    internal static Activity? StartConsume(string topic, string type, string? traceParent, bool makeCurrent)
    {
        if (!Source.HasListeners())
            return null;
        var previous = Activity.Current;
        var activity = ActivityContext.TryParse(traceParent, null, out var parent)
            ? Source.StartActivity($"consume {topic}", ActivityKind.Consumer, parent)
            : Source.StartActivity($"consume {topic}", ActivityKind.Consumer);
        activity?.SetTag("messaging.system", "dapr");
        activity?.SetTag("messaging.destination.name", topic);
        activity?.SetTag("cloudevents.event_type", type);
        if (!makeCurrent)
            Activity.Current = previous;
        return activity;
    }

    /// <summary>The traceparent a delivery carries as a CloudEvent extension, if any.</summary>
    internal static string? TraceParentOf(Struct? extensions) =>
        extensions?.Fields.TryGetValue(TraceParentAttribute, out var value) == true && value.KindCase == Value.KindOneofCase.StringValue
            ? value.StringValue
            : null;

    /// <summary>CloudEvent extensions carrying <paramref name="traceParent"/>, or null when there is none.</summary>
    internal static Struct? ExtensionsWith(string? traceParent) =>
        traceParent is null ? null : new Struct { Fields = { [TraceParentAttribute] = Value.ForString(traceParent) } };
}
