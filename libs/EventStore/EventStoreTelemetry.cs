using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Chronicle.EventStore;

/// <summary>
/// The event store's traces and metrics, under <see cref="Name"/>: a span per append, its latency and its batch size, by
/// backend and outcome. Nothing is recorded unless a listener (OpenTelemetry, dotnet-counters) subscribes.
/// </summary>
public static class EventStoreTelemetry
{
    /// <summary>The ActivitySource and Meter name.</summary>
    public const string Name = "Chronicle.EventStore";

    private static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    private static readonly Histogram<double> AppendDuration = Meter.CreateHistogram<double>("chronicle.eventstore.append.duration", "s",
        "How long an append took, from the call until it was durable or refused.");

    private static readonly Histogram<int> AppendBatchSize = Meter.CreateHistogram<int>("chronicle.eventstore.append.batch_size", "{event}",
        "Events per append.");

    /// <summary>Starts timing one append; dispose the returned scope when it has finished, after <see cref="AppendScope.Succeeded"/> if it did.</summary>
    internal static AppendScope StartAppend(string backend, string? streamId, int count)
    {
        var activity = Source.StartActivity("eventstore.append", ActivityKind.Internal);
        activity?.SetTag("db.system.name", backend);
        activity?.SetTag("chronicle.stream.category", Category(streamId));
        activity?.SetTag("chronicle.eventstore.batch_size", count);
        return new AppendScope(backend, count, activity, Stopwatch.GetTimestamp());
    }

    /// <summary>A stream's category, the part before its first '-' (a stream id names a patient; a category does not).</summary>
    private static string Category(string? streamId)
    {
        if (streamId is null)
            return "";
        var dash = streamId.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 ? streamId[..dash] : streamId;
    }

    internal sealed class AppendScope(string backend, int count, Activity? activity, long started) : IDisposable
    {
        private bool _succeeded;

        public void Succeeded() => _succeeded = true;

        public void Dispose()
        {
            var outcome = _succeeded ? "ok" : "error";
            var tags = new TagList { { "db.system.name", backend }, { "chronicle.outcome", outcome } };
            AppendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
            AppendBatchSize.Record(count, tags);
            if (activity is not null)
            {
                if (!_succeeded)
                    activity.SetStatus(ActivityStatusCode.Error);
                activity.Dispose();
            }
        }
    }
}
