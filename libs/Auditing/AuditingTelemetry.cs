using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Chronicle.Auditing;

/// <summary>
/// The audit trail's metrics, under <see cref="Name"/>: what one durable write of entries costs (the time every audited
/// request waits before it is answered) and how many entries share it.
/// </summary>
public static class AuditingTelemetry
{
    /// <summary>The Meter name.</summary>
    public const string Name = "Chronicle.Auditing";

    private static readonly Meter Meter = new(Name);

    private static readonly Histogram<double> FlushDuration = Meter.CreateHistogram<double>("chronicle.audit.trail.flush.duration", "s",
        "One durable write of waiting audit entries to the service's audit outbox.");

    private static readonly Histogram<int> FlushSize = Meter.CreateHistogram<int>("chronicle.audit.trail.flush.batch_size", "{entry}",
        "Audit entries made durable by one write.");

    internal static void RecordFlush(long startedAt, int entries, bool succeeded)
    {
        if (!FlushDuration.Enabled && !FlushSize.Enabled)
            return;
        var outcome = new KeyValuePair<string, object?>("chronicle.outcome", succeeded ? "ok" : "error");
        FlushDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, outcome);
        FlushSize.Record(entries, outcome);
    }
}
