using System.Diagnostics;
using Chronicle.Projections;
using Chronicle.Testing;

namespace Chronicle.Record.Benchmarks;

/// <summary>The lines above the sections: how the run was started, on what machine and database, with which workload.</summary>
internal static class RunHeader
{
    public static IReadOnlyList<string> Describe(BenchmarkSettings settings, RecordBackend backend, LoadResult load, BackgroundLoad machineLoad,
        long runStarted)
    {
        var arguments = settings.Arguments.Count == 0 ? "" : " -- " + string.Join(' ', settings.Arguments);
        return
        [
            $"Command: `dotnet run -c Release --project tests/Chronicle.Record.Benchmarks{arguments}`",
            $"Process: `{Environment.CommandLine}`",
            $"Machine: {BenchmarkMachine.Describe()}, {BuildConfiguration} build",
            machineLoad.Describe(),
            $"Whole run: {Stopwatch.GetElapsedTime(runStarted).TotalMinutes:0.0} min",
            $"Backend: {backend.Name}",
            .. backend.Description,
            $"Workload: {load.Patients:N0} patients from SyntheticRecords(seed {settings.Seed}, today {BenchmarkSettings.SyntheticToday:yyyy-MM-dd}): " +
            $"{load.Events:N0} events in {load.Appends:N0} appends ({load.EventsPerPatient:0.0} events per patient, " +
            $"event data {load.MeanDataBytes:0} B JSON on average plus provenance metadata)",
            "Service: the Record's building blocks hosted in-process (AddRecordCommands/MapRecordGrpc, AddRecordFhir/MapRecordFhir) on Kestrel, " +
            "FHIR on HTTP/1.1 and gRPC on HTTP/2 cleartext, each on its own real 127.0.0.1 port; clients in the same process",
            $"FHIR projection: ProjectionRunner defaults (batch size {new ProjectionRunnerOptions().BatchSize} events per read-model transaction)",
            $"Cases: per case and side, warm-up {settings.Warmup.TotalSeconds:0.##} s, then {settings.Measure.TotalSeconds:0.##} s measured in " +
            $"{settings.Rounds} windows alternating Chronicle and baseline (each window after a 0.25 s lead-in); closed-loop clients " +
            "(each sends its next request when the last one completes); latency per call, p50 / p99 nearest rank",
        ];
    }

#if DEBUG
    private const string BuildConfiguration = "DEBUG (numbers are not meaningful; use -c Release)";
#else
    private const string BuildConfiguration = "Release";
#endif
}
