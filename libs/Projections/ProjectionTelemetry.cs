using System.Diagnostics.Metrics;

namespace Chronicle.Projections;

/// <summary>Projections' metrics, under <see cref="Name"/>: how far behind the log each read model is when it catches up.</summary>
public static class ProjectionTelemetry
{
    /// <summary>The Meter name.</summary>
    public const string Name = "Chronicle.Projections";

    private static readonly Meter Meter = new(Name);

    private static readonly Histogram<double> Lag = Meter.CreateHistogram<double>("chronicle.projection.lag", "s",
        "From an event's append until its effects were committed to a read model.");

    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("chronicle.projection.batch_size", "{event}",
        "Events applied per read-model transaction.");

    internal static void RecordApplied(string projection, IReadOnlyList<EventStore.RecordedEvent> applied, DateTimeOffset now)
    {
        if (!Lag.Enabled && !BatchSize.Enabled)
            return;
        var tag = new KeyValuePair<string, object?>("chronicle.projection", projection);
        // The database's clock stamps RecordedAt and may run slightly ahead of ours: clamped at zero.
        foreach (var recorded in applied)
            Lag.Record(Math.Max(0, (now - recorded.RecordedAt).TotalSeconds), tag);
        BatchSize.Record(applied.Count, tag);
    }
}
