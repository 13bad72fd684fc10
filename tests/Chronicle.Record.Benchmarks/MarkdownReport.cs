using System.Globalization;
using System.Text;
using Chronicle.Testing;

namespace Chronicle.Record.Benchmarks;

/// <summary>Renders the run as Markdown: the setting first, then one section per measurement, each figure beside its baseline.</summary>
internal static class MarkdownReport
{
    private const long TargetEvents = 1_000_000;

    /// <summary>The sections measured: with --commands-only there is no catch-up, no reads and no rebuild.</summary>
    public static string Render(IReadOnlyList<string> header, LoadResult load, CatchUpResult? catchUp, FhirReadResult? reads,
        RebuildResult? rebuild, IReadOnlyList<CommandCase> commands, BenchmarkSettings settings)
    {
        var text = new StringBuilder();
        text.AppendLine("# Chronicle Record service benchmark").AppendLine();
        foreach (var line in header)
            Line(text, $"- {line}");
        text.AppendLine(
            "- Ratios are Chronicle / baseline from the same run: for latency, above 1 means slower than the baseline; " +
            "for throughput, below 1 means fewer per second.");

        RenderLoad(text, load, catchUp);
        if (reads is not null)
            RenderReads(text, reads);
        if (rebuild is not null)
            RenderRebuild(text, rebuild);
        RenderCommands(text, commands, settings);
        return text.ToString();
    }

    private static void RenderLoad(StringBuilder text, LoadResult load, CatchUpResult? catchUp)
    {
        text.AppendLine().AppendLine("## 1. Load and FHIR projection catch-up").AppendLine();
        text.AppendLine("| Patients | Appends | Events | Events/patient | Writers | Elapsed s | Events/s | Appends/s |")
            .AppendLine("|--:|--:|--:|--:|--:|--:|--:|--:|");
        Line(text, $"| {load.Patients:N0} | {load.Appends:N0} | {load.Events:N0} | {load.EventsPerPatient:0.0} | {load.Writers} " +
            $"| {load.Elapsed.TotalSeconds:0.0} | {Rate(load.EventsPerSecond)} | {Rate(load.AppendsPerSecond)} |");
        text.AppendLine();
        var scale = load.Events >= TargetEvents * 0.8
            ? $"The log holds {load.Events:N0} events, about the 1M-event target."
            : $"The log holds {load.Events:N0} events: {(double)load.Events / TargetEvents:P0} of the 1M-event target " +
              $"(SyntheticRecords makes {load.EventsPerPatient:0.0} events per patient; about {TargetEvents / load.EventsPerPatient:N0} patients would make 1M).";
        Line(text, $"- {scale}");
        if (load.Events < TargetEvents * 0.8 && catchUp is not null)
        {
            var replayMinutes = TargetEvents / catchUp.EventsPerSecond / 60;
            Line(text, $"- Why not 1M: at this run's catch-up rate ({Rate(catchUp.EventsPerSecond)} events/s) the FHIR projection alone would take " +
                $"about {replayMinutes:N0} min to replay 1M events, and the rebuild (section 3) replays them again.");
        }
        Line(text, $"- Appends go straight to the event store (no command handling), one append per synthetic consultation, ExpectedVersion " +
            $"NoStream then Exact(n). The writers also generate and serialise the events; that alone runs at {Rate(load.GenerationEventsPerSecond)} " +
            "events/s on one thread.");
        if (catchUp is null)
        {
            text.AppendLine("- --commands-only: the FHIR projection never ran, and sections 2 and 3 were skipped.");
            return;
        }

        text.AppendLine();
        text.AppendLine("| FHIR projection catch-up | Events | Elapsed s | Events/s |").AppendLine("|---|--:|--:|--:|");
        Line(text, $"| From position 0 after the load (projection started, waited for the load's last position) | {catchUp.Events:N0} " +
            $"| {catchUp.Elapsed.TotalSeconds:0.0} | {Rate(catchUp.EventsPerSecond)} |");
    }

    private static void RenderReads(StringBuilder text, FhirReadResult reads)
    {
        text.AppendLine().AppendLine("## 2. FHIR reads over HTTP/1.1").AppendLine();
        Line(text, $"- {reads.SampledPatients:N0} patients sampled with the seed; each client picks its next request at random among them. " +
            "One keep-alive connection per client (HttpClient, HTTP/1.1), whole body read.");
        Line(text, $"- Baseline: a minimal Kestrel app (slim builder, HTTP/1.1, same process) serving the bytes and content type the FHIR API " +
            "returned for the same requests, captured just before, from a dictionary keyed by path and query (checked byte for byte).");
        foreach (var sample in reads.Samples)
        {
            Line(text, $"- {FhirReads.Describe(sample.Kind)}: e.g. `GET {sample.Example}`; responses {sample.MeanBytes:N0} B on average, " +
                $"{sample.MeanEntries:0.0} entries{(sample.Empty > 0 ? $", {sample.Empty} of {sample.Requests} empty" : "")}");
        }

        text.AppendLine()
            .AppendLine("| Request | Clients | Chronicle p50 / p99 ms | Baseline p50 / p99 ms | p50 ratio | p99 ratio | Chronicle req/s | Baseline req/s | Throughput ratio |")
            .AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var row in reads.Cases)
        {
            var r = row.Result;
            Line(text, $"| {FhirReads.Describe(row.Kind)} | {row.Clients} | {Latency(r.Chronicle)} | {Latency(r.Baseline)} | {Ratio(r.P50Ratio)} " +
                $"| {Ratio(r.P99Ratio)} | {Rate(r.Chronicle.CallsPerSecond)} | {Rate(r.Baseline.CallsPerSecond)} | {Ratio(r.ThroughputRatio)} |");
        }
    }

    private static void RenderRebuild(StringBuilder text, RebuildResult rebuild)
    {
        text.AppendLine().AppendLine("## 3. FHIR projection rebuild from position 0").AppendLine();
        text.AppendLine("| | Events | Elapsed s | Events/s |").AppendLine("|---|--:|--:|--:|");
        Line(text, $"| Rebuild (RecordFhirReadModel.RebuildAsync: replay into fresh tables, then swap in) | {rebuild.Events:N0} " +
            $"| {rebuild.Rebuild.TotalSeconds:0.0} | {Rate(rebuild.RebuildEventsPerSecond)} |");
        Line(text, $"| Baseline: raw read of the global log (IEventStore.ReadAllAsync, pages of {rebuild.PageSize}), {rebuild.RawPasses} passes " +
            $"| {rebuild.RawEvents:N0} | {rebuild.RawRead.TotalSeconds:0.0} | {Rate(rebuild.RawEventsPerSecond)} |");
        text.AppendLine();
        Line(text, $"- Rebuild / raw read: {Ratio(rebuild.Ratio)}. The raw passes run just before and just after the rebuild; " +
            "the live projection was caught up and idle throughout.");
        Line(text, $"- Check: {rebuild.CheckedReads - rebuild.ChangedReads.Count} of {rebuild.CheckedReads} sampled Patient reads " +
            $"are byte-identical after the rebuild{(rebuild.ChangedReads.Count > 0 ? $"; changed: {string.Join(", ", rebuild.ChangedReads.Take(3))}" : "")}.");
    }

    private static void RenderCommands(StringBuilder text, IReadOnlyList<CommandCase> commands, BenchmarkSettings settings)
    {
        text.AppendLine().AppendLine("## 4. Record commands over gRPC").AppendLine();
        text.AppendLine(
            "- The gRPC command path does not wait for the FHIR read model: PatientRecordCommands reads the patient's stream, decides, " +
            "appends and replies; read-your-writes is the reader's choice (the X-Chronicle-Min-Position header on a FHIR read). " +
            "The FHIR projection was stopped for this section, so neither side pays for it.");
        Line(text, $"- RegisterPatient: the service reads the (empty) stream, appends the NHS number reservation, then the registration; " +
            $"the baseline makes the same two appends ({RecordCommands.EventsOf(CommandKind.RegisterPatient)} events).");
        Line(text, $"- RecordConsultation (encounter, blood pressure, weight, note), each client on patients of its own with the expected " +
            $"version; the baseline appends the same {RecordCommands.EventsOf(CommandKind.RecordConsultation)} events with ExpectedVersion.Exact. " +
            "The service brings the patient's folded record up to date (RecordStateCache: the record kept from the patient's last command " +
            "plus the events appended since, else the whole stream read and folded), decides and appends.");
        Line(text, $"- State cache: {(settings.StateCacheRecords == 0 ? "off (--state-cache 0): every command reads and folds the patient's whole stream" : $"at most {settings.StateCacheRecords:N0} records kept")}. " +
            "Loaded patient: each client goes round all the loaded patients, so no patient comes round again while the cache remembers it " +
            $"(a record is kept on its stream's second whole fold): every command reads and folds the whole stream. Recent patient: each client goes round {BenchmarkSettings.RecentPatientsPerClient} " +
            "patients of its own, so the kept record is found and only the last command's events are read.");
        text.AppendLine("- Clients: Grpc.Net.Client, one channel (one HTTP/2 connection over a real socket) each; baseline clients call IEventStore.AppendAsync in-process.");
        text.AppendLine()
            .AppendLine("| Command | Clients | gRPC commands/s | gRPC p50 / p99 ms | Raw appends commands/s | Raw p50 / p99 ms | Throughput ratio | p50 ratio |")
            .AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var row in commands)
        {
            var r = row.Result;
            Line(text, $"| {RecordCommands.Describe(row.Kind)} | {row.Clients} | {Rate(r.Chronicle.CallsPerSecond)} | {Latency(r.Chronicle)} " +
                $"| {Rate(r.Baseline.CallsPerSecond)} | {Latency(r.Baseline)} | {Ratio(r.ThroughputRatio)} | {Ratio(r.P50Ratio)} |");
        }
    }

    // The process runs with InvariantGlobalization, so interpolated numbers are formatted invariantly.
    private static void Line(StringBuilder text, string line) => text.AppendLine(line);

    private static string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Two decimals, or two significant digits for ratios below 0.1 (a rebuild can be thousands of times slower than a read).</summary>
    private static string Ratio(double ratio)
    {
        var decimals = ratio is > 0 and < 0.1 ? 1 - (int)Math.Floor(Math.Log10(ratio)) : 2;
        return ratio.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + "×";
    }

    private static string Latency(LatencySummary summary) =>
        string.Create(CultureInfo.InvariantCulture, $"{summary.P50Milliseconds:F2} / {summary.P99Milliseconds:F2}");
}
