namespace Chronicle.ServiceDefaults;

/// <summary>
/// The start-up lines a service prints, defined once: the host formats them and the launcher reads them back with the
/// same type, so a change to a line's wording cannot silently stop the launcher finding a service's URL.
/// </summary>
public sealed record ServiceBanner(string Service)
{
    private const string ListeningOn = "listening on ";

    /// <summary>What every line starts with, e.g. "Chronicle Audit".</summary>
    public string Name => $"Chronicle {Service}";

    /// <summary>A line of the banner: "Chronicle Audit storage: ...".</summary>
    public string Line(string text) => $"{Name} {text}";

    /// <summary>What a listener's line starts with, up to its URL: "Chronicle Audit HTTP listening on ".</summary>
    public string ListeningPrefix(string listener) => listener.Length == 0 ? $"{Name} {ListeningOn}" : $"{Name} {listener} {ListeningOn}";

    /// <summary>"Chronicle Audit HTTP listening on http://127.0.0.1:5200/".</summary>
    public string Listening(string listener, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return ListeningPrefix(listener) + url;
    }

    /// <summary>Whether <paramref name="line"/> is a line of some service's banner (rather than a log line).</summary>
    public static bool IsBannerLine(string line) => line?.StartsWith("Chronicle ", StringComparison.Ordinal) == true;

    /// <summary>
    /// Reads the URL from a line that starts with <paramref name="prefix"/> (e.g. <see cref="ListeningPrefix"/>): the
    /// first word after it, when it is an absolute URL.
    /// </summary>
    public static bool TryReadUrl(string line, string prefix, out Uri url)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(prefix);
        url = null!;
        if (!line.StartsWith(prefix, StringComparison.Ordinal))
            return false;
        var word = line[prefix.Length..].Split(' ', 2)[0];
        if (!Uri.TryCreate(word, UriKind.Absolute, out var parsed))
            return false;
        url = parsed;
        return true;
    }
}
