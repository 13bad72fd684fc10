using Chronicle.Launcher.Processes;

namespace Chronicle.Launcher.Platform;

/// <summary>
/// What the person who ran the launcher sees. The launcher's own lines start "Chronicle launcher:"; a service's lines are
/// prefixed with its name, and only its milestones and problems are shown unless verbose (every line is in its log).
/// Demo lines are held back for the ready summary, with the service's own FHIR base replaced by the gateway's.
/// </summary>
internal sealed class PlatformConsole(TextWriter output, TextWriter error, bool verbose, int nameWidth)
{
    private readonly Lock _lock = new();
    private readonly List<string> _demo = [];
    private readonly Dictionary<string, (string From, string To)> _rewrites = new(StringComparer.Ordinal);
    private bool _summaryShown;

    public void Say(string line) => Write(output, $"Chronicle launcher: {line}");

    public void Complain(string line) => Write(error, $"Chronicle launcher: {line}");

    /// <summary>A line as it is, e.g. the summary table.</summary>
    public void Plain(string line) => Write(output, line);

    /// <summary>In this service's demo lines, <paramref name="serviceFhirBase"/> becomes <paramref name="gatewayFhirBase"/>.</summary>
    public void RewriteDemoUrls(string service, string serviceFhirBase, string gatewayFhirBase)
    {
        lock (_lock)
            _rewrites[service] = (serviceFhirBase, gatewayFhirBase);
    }

    public void OnServiceLine(ServiceLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Kind == ServiceLineKind.Demo)
        {
            lock (_lock)
            {
                var text = _rewrites.TryGetValue(line.Service, out var rewrite) ? line.Text.Replace(rewrite.From, rewrite.To, StringComparison.Ordinal) : line.Text;
                _demo.Add($"  {Prefix(line.Service)}{text}");
                if (!_summaryShown)
                    return;
                output.WriteLine(_demo[^1]);
                return;
            }
        }

        if (verbose || line.Kind is ServiceLineKind.Milestone or ServiceLineKind.Problem)
            Write(line.Kind == ServiceLineKind.Problem ? error : output, Prefix(line.Service) + line.Text);
    }

    /// <summary>Prints the demo lines gathered so far; later ones print as they come.</summary>
    public void ShowDemo()
    {
        lock (_lock)
        {
            _summaryShown = true;
            if (_demo.Count == 0)
                return;
            output.WriteLine("Demo:");
            foreach (var line in _demo)
                output.WriteLine(line);
        }
    }

    public string Prefix(string service) => $"[{service}]".PadRight(nameWidth + 2) + " ";

    private void Write(TextWriter writer, string line)
    {
        lock (_lock)
            writer.WriteLine(line);
    }
}
