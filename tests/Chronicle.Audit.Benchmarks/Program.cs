using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Chronicle.Audit.Benchmarks;

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

ThreadPool.SetMinThreads(32, 32);
var progress = Console.Error;
var folder = Directory.CreateTempSubdirectory("chronicle-audit-bench-").FullName;
try
{
    progress.WriteLine("Measuring the disk's flush...");
    var flush = DiskFlush.Measure(folder, settings.Flushes);
    var reads = new List<(bool Background, ReadLatencyResult Result)>();
    var outbox = new Dictionary<bool, (long Entries, long Appends)>();
    foreach (var background in new[] { true, false })
    {
        progress.WriteLine(background ? "Reads with the FHIR projection and outbox relay running:" : "Reads with the outbox append alone:");
        await using var record = await ReadLatency.StartAsync(Path.Combine(folder, background ? "record" : "record-alone"), settings.Patients, background, progress);
        foreach (var concurrency in settings.Concurrency)
            reads.Add((background, await record.MeasureAsync(concurrency, settings.Window, settings.Rounds, progress)));
        outbox[background] = await record.CountOutboxAsync();
    }

    var rates = settings.ReadsOnly ? [] : await IngestRate.MeasureAsync(folder, settings, progress);
    var report = Render(settings, flush, reads, outbox, rates);
    Console.WriteLine(report);
    if (settings.OutputPath is not null)
        await File.WriteAllTextAsync(settings.OutputPath, report);
    return 0;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static string Render(BenchmarkSettings settings, LatencySample flush, IReadOnlyList<(bool Background, ReadLatencyResult Result)> reads, IReadOnlyDictionary<bool, (long Entries, long Appends)> outbox, IReadOnlyList<Rate> rates)
{
    var c = CultureInfo.InvariantCulture;
    var text = new StringBuilder();
    text.AppendLine("# Chronicle Audit benchmark").AppendLine();
    var arguments = settings.Arguments.Count == 0 ? "" : " -- " + string.Join(' ', settings.Arguments);
    text.AppendLine(c, $"- Command: `dotnet run -c Release --project tests/Chronicle.Audit.Benchmarks{arguments}`");
    text.AppendLine(c, $"- Machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {Build}");
    text.AppendLine(c, $"- Workload: {settings.Describe()}; SQLite storage (the embedded default)");
    text.AppendLine("- Reads: GET /fhir/Patient/{id} of a random patient through the Record service in this process over loopback HTTP/1.1; " +
        "audited reads pass the FHIR auditing middleware, which makes the entry durable in the Record's outbox before the response starts; " +
        "unaudited reads skip it. Latency is per request at the client (nearest-rank percentiles). Target: audited p50 and p99 at most 10% above unaudited.");
    text.AppendLine(c, $"- The Record's outbox holds {outbox[true].Entries:N0} and {outbox[false].Entries:N0} entries after the two runs (one per audited read, warm-up included; none per unaudited one), " +
        $"written in {outbox[true].Appends:N0} and {outbox[false].Appends:N0} appends: {(double)outbox[true].Entries / outbox[true].Appends:0.00} and {(double)outbox[false].Entries / outbox[false].Appends:0.00} entries per durable append (group commit).");
    text.AppendLine("- \"as deployed\": the Record's FHIR projection and outbox relay follow the log, as in the service; \"append alone\": both stopped " +
        "once the read model caught up, so an audited read costs only the durable outbox append (the cause of the difference is in the findings).");
    text.AppendLine(c, $"- The disk's flush, the floor under any durable write: a 512-byte write into a preallocated file and fsync, {flush.Count:N0} times in this run: " +
        $"p50 {flush.Percentile(50):0.000} ms, p99 {flush.Percentile(99):0.000} ms. \"added\" is the audited p50 minus the unaudited p50.").AppendLine();

    text.AppendLine("## FHIR read latency, audited vs unaudited").AppendLine();
    text.AppendLine("| background | clients | mode | reads | reads/s | p50 ms | p99 ms | p50 overhead | p99 overhead | added at p50 | CPU ms per read |");
    text.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var (background, r) in reads)
    {
        var run = background ? "as deployed" : "append alone";
        var (u50, u99, a50, a99) = (r.Unaudited.Percentile(50), r.Unaudited.Percentile(99), r.Audited.Percentile(50), r.Audited.Percentile(99));
        text.AppendLine(c, $"| {run} | {r.Concurrency} | unaudited | {r.Unaudited.Count:N0} | {r.Unaudited.Count / r.Measured.TotalSeconds:N0} | {u50:0.000} | {u99:0.000} | | | | {r.UnauditedCpuPerRead:0.000} |");
        text.AppendLine(c, $"| {run} | {r.Concurrency} | audited | {r.Audited.Count:N0} | {r.Audited.Count / r.Measured.TotalSeconds:N0} | {a50:0.000} | {a99:0.000} | " +
            $"{(a50 / u50 - 1):+0.0%;-0.0%} | {(a99 / u99 - 1):+0.0%;-0.0%} | {a50 - u50:+0.000;-0.000} ms | {r.AuditedCpuPerRead:0.000} |");
    }

    if (rates.Count == 0)
        return text.ToString();
    text.AppendLine().AppendLine("## Audit ingest, chaining and verification").AppendLine();
    text.AppendLine("| case | items | seconds | rate |");
    text.AppendLine("|---|---:|---:|---:|");
    foreach (var rate in rates)
        text.AppendLine(c, $"| {rate.Case} | {rate.Items:N0} | {rate.Elapsed.TotalSeconds:0.00} | {rate.PerSecond:N0} {rate.Unit} |");
    return text.ToString();
}

internal static partial class Program
{
#if DEBUG
    private const string Build = "DEBUG build (numbers are not meaningful; use -c Release)";
#else
    private const string Build = "Release build";
#endif
}
