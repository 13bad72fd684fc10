using Chronicle.EventStore.Benchmarks;
using Chronicle.Testing;

BenchmarkSettings settings;
try
{
    settings = BenchmarkSettings.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// Up to 32 writers block in synchronous SQLite calls; do not let thread-pool ramp-up decide the numbers.
ThreadPool.SetMinThreads(64, 64);

var payload = new SamplePayload(settings.TimeOrderedEventIds);
var load = new BackgroundLoad();
var progress = Console.Error;
var results = new List<BackendResult>();

if (settings.RunPostgres)
{
    progress.WriteLine("Starting PostgreSQL...");
    await using var postgres = await PostgresBackend.StartAsync(payload);
    results.Add(await Comparison.RunAsync(postgres, settings, progress));
}

if (settings.RunSqlite)
{
    await using var sqlite = await SqliteBackend.CreateAsync(payload);
    results.Add(await Comparison.RunAsync(sqlite, settings, progress));
}

var report = MarkdownReport.Render(RunHeader.Describe(settings, payload, load), results);
Console.WriteLine(report);
if (settings.OutputPath is not null)
    await File.WriteAllTextAsync(settings.OutputPath, report);
return 0;
