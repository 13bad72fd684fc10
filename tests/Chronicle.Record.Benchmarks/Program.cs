using System.Diagnostics;
using Chronicle.Record.Benchmarks;
using Chronicle.Testing;

if (!BenchmarkSettings.TryParse(args, Console.Error, out var settings))
    return 2;

// Servers and clients share this process; do not let thread-pool ramp-up decide the first windows.
ThreadPool.SetMinThreads(32, 32);

var runStarted = Stopwatch.GetTimestamp();
var machineLoad = new BackgroundLoad();
var progress = Console.Error;

progress.WriteLine($"Starting {settings.Backend}...");
await using var backend = await RecordBackend.StartAsync(settings.Backend);
var roster = new PatientRoster(settings.Patients);

progress.WriteLine($"1. Loading {settings.Patients:N0} synthetic patients with {settings.Writers} writers...");
var load = await SyntheticLoad.RunAsync(backend.Store, settings, roster, progress);
progress.WriteLine($"  {load.Events:N0} events in {load.Elapsed.TotalSeconds:0.0} s ({load.EventsPerSecond:N0} events/s)");

await using var host = await RecordHost.StartAsync(backend, settings.StateCacheRecords);
await backend.SettleAsync();
CatchUpResult? catchUp = null;
FhirReadResult? reads = null;
RebuildResult? rebuild = null;
if (!settings.CommandsOnly)
{
    progress.WriteLine("   FHIR projection catching up...");
    catchUp = await ProjectionRuns.CatchUpAsync(host, load, progress);
    progress.WriteLine($"  caught up in {catchUp.Elapsed.TotalSeconds:0.0} s ({catchUp.EventsPerSecond:N0} events/s)");
    await backend.AnalyzeAsync();
    await backend.SettleAsync();

    progress.WriteLine("2. FHIR reads over HTTP/1.1...");
    reads = await FhirReads.RunAsync(host, roster, settings, progress);

    progress.WriteLine("3. Projection rebuild against a raw read of the log...");
    rebuild = await ProjectionRuns.RebuildAsync(host, backend, roster, settings, progress);
}
else
{
    await backend.AnalyzeAsync();
    await backend.SettleAsync();
}

// The commands are measured with no projection following the log: neither side pays for it.
await host.ReadModel.DisposeAsync();
progress.WriteLine("4. Commands over gRPC against raw appends...");
var commands = await RecordCommands.RunAsync(host, backend, roster, settings, progress);

var report = MarkdownReport.Render(RunHeader.Describe(settings, backend, load, machineLoad, runStarted), load, catchUp, reads, rebuild, commands, settings);
Console.WriteLine(report);
if (settings.OutputPath is not null)
    await File.WriteAllTextAsync(settings.OutputPath, report);
return 0;
