using System.Diagnostics;
using Chronicle.EventStore;
using Chronicle.Projections;

namespace Chronicle.Record.Benchmarks;

internal sealed record CatchUpResult(long Events, TimeSpan Elapsed, int BatchSize)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
}

internal sealed record RebuildResult(long Events, TimeSpan Rebuild, long RawEvents, TimeSpan RawRead, int RawPasses, int PageSize,
    int CheckedReads, IReadOnlyList<string> ChangedReads)
{
    public double RebuildEventsPerSecond => Events / Rebuild.TotalSeconds;
    public double RawEventsPerSecond => RawEvents / RawRead.TotalSeconds;
    public double Ratio => RebuildEventsPerSecond / RawEventsPerSecond;
}

/// <summary>The FHIR projection's first catch-up over the loaded log, and its rebuild from position 0 against a raw read of the log.</summary>
internal static class ProjectionRuns
{
    public static async Task<CatchUpResult> CatchUpAsync(RecordHost host, LoadResult load, TextWriter progress)
    {
        var started = Stopwatch.GetTimestamp();
        await host.ReadModel.StartAsync();
        var caughtUp = host.ReadModel.WaitForAsync(load.LastPosition);
        while (await Task.WhenAny(caughtUp, Task.Delay(TimeSpan.FromSeconds(30))) != caughtUp)
        {
            progress.WriteLine($"  checkpoint at global position {host.ReadModel.Checkpoint.Position:N0} of {load.LastPosition.Position:N0} " +
                $"({Stopwatch.GetElapsedTime(started).TotalSeconds:0} s)");
        }

        await caughtUp;
        return new CatchUpResult(load.Events, Stopwatch.GetElapsedTime(started), new ProjectionRunnerOptions().BatchSize);
    }

    /// <summary>
    /// Raw read, rebuild, raw read: the raw side is the mean of the two passes around the rebuild. The raw read pages
    /// through <see cref="IEventStore.ReadAllAsync"/> with the projection's batch size, which is how the rebuild reads.
    /// </summary>
    public static async Task<RebuildResult> RebuildAsync(RecordHost host, RecordBackend backend, PatientRoster roster, BenchmarkSettings settings,
        TextWriter progress)
    {
        var pageSize = new ProjectionRunnerOptions().BatchSize;
        var patientReads = FhirReads.SamplePatients(roster, settings).Select(id => FhirReads.PathOf(FhirReadKind.PatientRead, id));
        var before = await FhirReads.CaptureAsync(host.FhirAddress, patientReads);

        await backend.SettleAsync();
        var (rawEvents, rawRead) = await ReadWholeLogAsync(backend.Store, pageSize);
        progress.WriteLine($"  raw read: {rawEvents / rawRead.TotalSeconds:N0} events/s");

        await backend.SettleAsync();
        var started = Stopwatch.GetTimestamp();
        await host.ReadModel.RebuildAsync();
        var rebuild = Stopwatch.GetElapsedTime(started);
        progress.WriteLine($"  rebuild: {rawEvents / rebuild.TotalSeconds:N0} events/s");

        await backend.SettleAsync();
        var (againEvents, againRead) = await ReadWholeLogAsync(backend.Store, pageSize);
        progress.WriteLine($"  raw read: {againEvents / againRead.TotalSeconds:N0} events/s");

        var changed = await FhirReads.ChangedSinceAsync(host.FhirAddress, before);
        return new RebuildResult(rawEvents, rebuild, rawEvents + againEvents, rawRead + againRead, 2, pageSize, before.Count, changed);
    }

    private static async Task<(long Events, TimeSpan Elapsed)> ReadWholeLogAsync(IEventStore store, int pageSize)
    {
        var started = Stopwatch.GetTimestamp();
        long read = 0;
        var after = LogPosition.Start;
        while (true)
        {
            var page = await store.ReadAllAsync(after, pageSize);
            if (page.Count == 0)
                return (read, Stopwatch.GetElapsedTime(started));
            read += page.Count;
            after = page[^1].LogPosition;
        }
    }
}
