using System.Globalization;
using System.Text;
using Hl7.Fhir.Model;

namespace Chronicle.Fhir;

/// <summary>
/// A resource's generated narrative (<c>text</c>, status <c>generated</c>): a short XHTML summary a clinician in another
/// system can read. It uses only what FHIR's narrative rules allow (a <c>div</c> in the XHTML namespace holding
/// <c>p</c>, <c>b</c> and <c>br</c>; no scripts, no attributes besides the namespace) and every value in it is escaped, so
/// free text such as a note cannot become markup. Pure: the same headline and details always give the same bytes.
/// </summary>
public sealed class FhirNarrative
{
    public const string XhtmlNamespace = "http://www.w3.org/1999/xhtml";

    /// <summary>The longest free text shown in full; longer text is cut at a character boundary and ends with an ellipsis.</summary>
    public const int MaxTextLength = 1000;

    private readonly StringBuilder _html = new();

    /// <param name="headline">What the resource is, e.g. "Blood pressure 142/91 mm[Hg], 2 Jun 2025 09:30 UTC"; shown bold.</param>
    public FhirNarrative(string headline)
    {
        ArgumentNullException.ThrowIfNull(headline);
        _html.Append("<div xmlns=\"").Append(XhtmlNamespace).Append("\"><p><b>");
        AppendText(headline);
        _html.Append("</b></p>");
    }

    /// <summary>Adds "Label: value" as a paragraph; nothing when the value is null or blank. Line breaks in the value are kept.</summary>
    public FhirNarrative Detail(string label, string? value)
    {
        ArgumentNullException.ThrowIfNull(label);
        if (string.IsNullOrWhiteSpace(value))
            return this;
        _html.Append("<p>");
        AppendText(label);
        _html.Append(": ");
        AppendText(value);
        _html.Append("</p>");
        return this;
    }

    /// <summary>Adds a paragraph of free text (e.g. a note), cut to <see cref="MaxTextLength"/>; nothing when it is null or blank.</summary>
    public FhirNarrative Text(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return this;
        _html.Append("<p>");
        AppendText(Shorten(text));
        _html.Append("</p>");
        return this;
    }

    /// <summary>
    /// Adds another generated narrative's content (a resource's own text, so a section shows each entry as the entry
    /// shows itself); one this class did not write is left out, so nothing unescaped gets in.
    /// </summary>
    public FhirNarrative Include(Narrative? narrative)
    {
        const string open = "<div xmlns=\"" + XhtmlNamespace + "\">";
        const string close = "</div>";
        if (narrative?.Div is { } div && div.StartsWith(open, StringComparison.Ordinal) && div.EndsWith(close, StringComparison.Ordinal)
            && div.Length >= open.Length + close.Length)
            _html.Append(div, open.Length, div.Length - open.Length - close.Length);
        return this;
    }

    /// <summary>The narrative, status generated.</summary>
    public Narrative ToNarrative() => new()
    {
        Status = Narrative.NarrativeStatus.Generated,
        Div = _html.ToString() + "</div>",
    };

    /// <summary>
    /// <paramref name="text"/> as XHTML character data: &amp;, &lt;, &gt;, quotes escaped; each line break a <c>br</c>; and
    /// characters XML cannot carry (control characters, unpaired surrogates, U+FFFE, U+FFFF) shown as U+FFFD.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var html = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': html.Append("&amp;"); break;
                case '<': html.Append("&lt;"); break;
                case '>': html.Append("&gt;"); break;
                case '"': html.Append("&quot;"); break;
                case '\'': html.Append("&#39;"); break;
                case '\r':
                    html.Append("<br/>");
                    if (i + 1 < text.Length && text[i + 1] == '\n')
                        i++;
                    break;
                case '\n': html.Append("<br/>"); break;
                case '\t': html.Append(' '); break;
                case < ' ' or '\uFFFE' or '\uFFFF': html.Append('\uFFFD'); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                        html.Append(c).Append(text[++i]);
                    else if (char.IsSurrogate(c))
                        html.Append('\uFFFD');
                    else
                        html.Append(c);
                    break;
            }
        }

        return html.ToString();
    }

    /// <summary>A FHIR date or dateTime as people write it: "2 Jun 2025", "Jun 2025", "2025", or "2 Jun 2025 09:30 UTC".</summary>
    public static string? When(string? fhirDate)
    {
        if (string.IsNullOrEmpty(fhirDate))
            return null;
        if (fhirDate.Length > 10 && DateTimeOffset.TryParse(fhirDate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
            return When(instant);
        return fhirDate.Length switch
        {
            10 when DateOnly.TryParseExact(fhirDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) =>
                day.ToString("d MMM yyyy", CultureInfo.InvariantCulture),
            7 when DateOnly.TryParseExact(fhirDate + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month) =>
                month.ToString("MMM yyyy", CultureInfo.InvariantCulture),
            _ => fhirDate,
        };
    }

    /// <summary>An instant in UTC, to the minute: "2 Jun 2025 09:30 UTC".</summary>
    public static string When(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>What a concept says: its text, else its first coding's display, else that coding as system|code.</summary>
    public static string? Name(CodeableConcept? concept)
    {
        if (concept is null)
            return null;
        if (!string.IsNullOrWhiteSpace(concept.Text))
            return concept.Text;
        var coding = concept.Coding.FirstOrDefault(c => !string.IsNullOrWhiteSpace(c.Display)) ?? concept.Coding.FirstOrDefault();
        return coding is null ? null : !string.IsNullOrWhiteSpace(coding.Display) ? coding.Display : $"{coding.System}|{coding.Code}";
    }

    /// <summary>A quantity as recorded: its value, then its unit (the UCUM code when no unit is given), e.g. "72.5 kg".</summary>
    public static string? Amount(Hl7.Fhir.Model.Quantity? quantity) => quantity?.Value is { } value
        ? string.Join(' ', new[] { value.ToString(CultureInfo.InvariantCulture), quantity.Unit ?? quantity.Code }.Where(p => !string.IsNullOrEmpty(p)))
        : null;

    private void AppendText(string text) => _html.Append(Escape(text));

    /// <summary><paramref name="text"/> cut to <see cref="MaxTextLength"/> characters (never inside a surrogate pair), with an ellipsis.</summary>
    public static string Shorten(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= MaxTextLength)
            return text;
        var cut = char.IsHighSurrogate(text[MaxTextLength - 1]) ? MaxTextLength - 1 : MaxTextLength;
        return text[..cut] + "…";
    }
}
