using System.Text.RegularExpressions;

namespace Chronicle.Launcher.Processes;

/// <summary>What a line a service printed is, for deciding what the console shows; every line goes to the log file.</summary>
public enum ServiceLineKind
{
    /// <summary>Ordinary logging: the log file only.</summary>
    Detail,

    /// <summary>A line starting "Chronicle " (where it listens, its storage, what it generated): shown.</summary>
    Milestone,

    /// <summary>Standard error, or a warn/fail/crit log line and the indented lines that follow it: shown.</summary>
    Problem,

    /// <summary>
    /// Demo credentials and example requests: a line starting "Chronicle demo:" or "Chronicle {Service} demo:", or a
    /// line starting "Demo " and the indented lines under it. Shown with the ready summary.
    /// </summary>
    Demo,
}

/// <summary>Sorts one service's lines into <see cref="ServiceLineKind"/>s; it remembers the header an indented line belongs to.</summary>
public sealed partial class ServiceLineClassifier
{
    private ServiceLineKind _block = ServiceLineKind.Detail;

    public ServiceLineKind Classify(string line, bool fromStandardError)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Length > 0 && char.IsWhiteSpace(line[0]) && _block is ServiceLineKind.Demo or ServiceLineKind.Problem)
            return _block;

        _block = Header(line, fromStandardError);
        return _block;
    }

    private static ServiceLineKind Header(string line, bool fromStandardError)
    {
        if (DemoLine().IsMatch(line))
            return ServiceLineKind.Demo;
        if (fromStandardError || ProblemLine().IsMatch(line))
            return ServiceLineKind.Problem;
        return line.StartsWith("Chronicle ", StringComparison.Ordinal) ? ServiceLineKind.Milestone : ServiceLineKind.Detail;
    }

    [GeneratedRegex(@"^(Chronicle (\S+ )?demo:|Demo )")]
    private static partial Regex DemoLine();

    // The console logger's levels (one line each with the simple formatter's single-line option).
    [GeneratedRegex(@"^\s*(warn|fail|crit):")]
    private static partial Regex ProblemLine();
}
