using System.Diagnostics;

namespace Chronicle.EventStore.Benchmarks;

internal sealed record CatchUpMeasurement(long Events, TimeSpan Elapsed, int Passes)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;

    public CatchUpMeasurement Add(long events, TimeSpan elapsed) => new(Events + events, Elapsed + elapsed, Passes + 1);
}

/// <summary>Catch-up read of the global log: fill a fresh log with a fixed number of events, then read it whole, timed.</summary>
internal static class CatchUpRead
{
    public const int FillWriters = 8;
    public const int FillEventsPerAppend = 100;

    /// <summary>Writes the events and reads them back once (to warm caches and to check nothing is missing).</summary>
    public static async Task FillAsync(IAppendTarget target, int events, int pageSize)
    {
        await AppendLoad.FillAsync(target, events, FillWriters, FillEventsPerAppend);
        var read = await target.ReadWholeLogAsync(pageSize, CancellationToken.None);
        if (read < events)
            throw new InvalidOperationException($"The log holds {read} events after writing {events}.");
    }

    /// <summary>One timed pass over the whole log from the start.</summary>
    public static async Task<CatchUpMeasurement> ReadPassAsync(IAppendTarget target, int pageSize, CatchUpMeasurement soFar)
    {
        var started = Stopwatch.GetTimestamp();
        var read = await target.ReadWholeLogAsync(pageSize, CancellationToken.None);
        return soFar.Add(read, Stopwatch.GetElapsedTime(started));
    }
}
