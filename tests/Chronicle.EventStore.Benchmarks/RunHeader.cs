using Chronicle.Testing;

namespace Chronicle.EventStore.Benchmarks;

/// <summary>The lines above the tables: how the run was started, on what machine, with which workload.</summary>
internal static class RunHeader
{
    public static IReadOnlyList<string> Describe(BenchmarkSettings settings, SamplePayload payload, BackgroundLoad load)
    {
        var arguments = settings.Arguments.Count == 0 ? "" : " -- " + string.Join(' ', settings.Arguments);
        return
        [
            $"Command: `dotnet run -c Release --project tests/Chronicle.EventStore.Benchmarks{arguments}`",
            $"Process: `{Environment.CommandLine}`",
            $"Machine: {BenchmarkMachine.Describe()}, {BuildConfiguration} build",
            load.Describe(),
            $"Workload: event data {payload.Data.Length} B JSON + metadata {payload.MetadataBytes.Length} B JSON; " +
            $"per case and side: warm-up {settings.Warmup.TotalSeconds:0.##} s, then {settings.Measure.TotalSeconds:0.##} s measured in " +
            $"{settings.Rounds} windows alternating store and baseline (each window after a 0.25 s lead-in); " +
            "each writer appends back to back to its own stream (the store with ExpectedVersion NoStream, then Exact(n)); " +
            $"event ids: {(settings.TimeOrderedEventIds ? "Guid.CreateVersion7() (time-ordered)" : "Guid.NewGuid() (random)")}",
            $"Batch cases use {settings.BatchWriters} concurrent writers. Latency is per append call (p50 / p99, nearest rank).",
            $"Catch-up: {settings.CatchUpEvents:N0} events written by {CatchUpRead.FillWriters} writers in appends of " +
            $"{CatchUpRead.FillEventsPerAppend}, one warm read, then whole-log reads from the start with page size {settings.PageSize} " +
            $"for at least {settings.Measure.TotalSeconds:0.##} s per side, passes alternating store and baseline " +
            "(store: ReadAllAsync from LogPosition.Start; baseline: SELECT paged by id)",
            $"Targets: store appends ≥ {MarkdownReport.Target:P0} of the raw INSERT baseline in every case; " +
            $"catch-up ≥ {MarkdownReport.Target:P0} of the raw SELECT",
        ];
    }

#if DEBUG
    private const string BuildConfiguration = "DEBUG (numbers are not meaningful; use -c Release)";
#else
    private const string BuildConfiguration = "Release";
#endif
}
