using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;

namespace Chronicle.Record.Fhir.Projection;

public sealed record TokenIndexEntry(string Parameter, string System, string Code);

public sealed record DateIndexEntry(string Parameter, FhirDateRange Range);

/// <param name="Normalised">Lower-cased, for the default case-insensitive starts-with match.</param>
public sealed record StringIndexEntry(string Parameter, string Normalised, string Exact);

public sealed record SearchIndexEntries(
    IReadOnlyList<TokenIndexEntry> Tokens,
    IReadOnlyList<DateIndexEntry> Dates,
    IReadOnlyList<StringIndexEntry> Strings);

/// <summary>
/// What each served resource is found by: the values behind the search parameters of <see cref="RecordResourceTypes"/>,
/// which declares each type's parameters and their values together. <c>_id</c> and <c>patient</c> are columns of the
/// resource table itself, so they are not repeated here.
/// </summary>
public static class RecordSearchIndex
{
    public static SearchIndexEntries Extract(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var writer = new SearchIndexWriter();
        if (resource.Meta?.LastUpdated is { } lastUpdated)
            writer.Instant("_lastUpdated", lastUpdated);
        RecordResourceTypes.Find(resource.TypeName)?.Index(resource, writer);
        return writer.Entries();
    }
}

/// <summary>Collects one resource's search index values.</summary>
public sealed class SearchIndexWriter
{
    private readonly List<TokenIndexEntry> _tokens = [];
    private readonly List<DateIndexEntry> _dates = [];
    private readonly List<StringIndexEntry> _strings = [];

    public void Token(string parameter, string system, string code) => _tokens.Add(new TokenIndexEntry(parameter, system, code));

    /// <summary>Every coding of <paramref name="concept"/> that has a code.</summary>
    public void Codes(string parameter, CodeableConcept? concept)
    {
        foreach (var coding in concept?.Coding ?? [])
        {
            if (coding.Code is not null)
                Token(parameter, coding.System ?? "", coding.Code);
        }
    }

    /// <summary>A FHIR date or dateTime, or a period from <paramref name="low"/> to <paramref name="high"/>; unparsable values are skipped.</summary>
    public void Date(string parameter, string? low, string? high = null)
    {
        if (ParseRange(low) is not { } start)
            return;
        var end = ParseRange(high) ?? start;
        _dates.Add(new DateIndexEntry(parameter, new FhirDateRange(start.Low, Math.Max(start.High, end.High))));
    }

    public void Instant(string parameter, DateTimeOffset? instant)
    {
        if (instant is { } value)
            _dates.Add(new DateIndexEntry(parameter, FhirDateRange.Instant(value)));
    }

    /// <summary>A string, kept lower-cased for the default match and as written for :exact.</summary>
    public void String(string parameter, string value) => _strings.Add(new StringIndexEntry(parameter, value.ToLowerInvariant(), value));

    public SearchIndexEntries Entries() => new(_tokens, _dates, _strings);

    private static FhirDateRange? ParseRange(string? value) =>
        value is not null && FhirDateRange.TryParse(value, out var range, out _) ? range : null;
}
