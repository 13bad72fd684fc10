using System.Globalization;
using System.Text;

namespace Chronicle.EventStore.Benchmarks;

/// <summary>Renders the run as Markdown: the setting first, then one append table and one catch-up table per backend.</summary>
internal static class MarkdownReport
{
    public const double Target = 0.5;

    public static string Render(IReadOnlyList<string> header, IReadOnlyList<BackendResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("# Chronicle event store benchmark").AppendLine();
        foreach (var line in header)
            text.AppendLine(CultureInfo.InvariantCulture, $"- {line}");

        foreach (var result in results)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {result.Backend}").AppendLine();
            foreach (var line in result.Description)
                text.AppendLine(CultureInfo.InvariantCulture, $"- {line}");

            text.AppendLine()
                .AppendLine("| Case | Store events/s | Baseline events/s | Store/Baseline | Store p50 / p99 ms | Baseline p50 / p99 ms | Target ≥ 50% |")
                .AppendLine("|---|--:|--:|--:|--:|--:|:-:|");
            foreach (var row in result.Appends)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Case.Name} | {Rate(row.Store.EventsPerSecond)} | {Rate(row.Baseline.EventsPerSecond)} | {row.Ratio:P0} " +
                    $"| {Latency(row.Store)} | {Latency(row.Baseline)} | {Verdict(row.Ratio)} |");
            }

            var catchUp = result.CatchUp;
            text.AppendLine()
                .AppendLine("| Catch-up read | Store events/s | Raw SELECT events/s | Store/Baseline | Target ≥ 50% |")
                .AppendLine("|---|--:|--:|--:|:-:|")
                .AppendLine(CultureInfo.InvariantCulture,
                    $"| {catchUp.Events:N0} events, from the start | {Rate(catchUp.Store.EventsPerSecond)} ({catchUp.Store.Passes} passes) " +
                    $"| {Rate(catchUp.Baseline.EventsPerSecond)} ({catchUp.Baseline.Passes} passes) | {catchUp.Ratio:P0} | {Verdict(catchUp.Ratio)} |");
        }

        return text.ToString();
    }

    private static string Rate(double eventsPerSecond) => eventsPerSecond.ToString("N0", CultureInfo.InvariantCulture);

    private static string Latency(AppendMeasurement measurement) =>
        string.Create(CultureInfo.InvariantCulture, $"{measurement.P50Milliseconds:F2} / {measurement.P99Milliseconds:F2}");

    private static string Verdict(double ratio) => ratio >= Target ? "PASS" : "BELOW";
}
