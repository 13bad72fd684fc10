using System.Text;
using Hl7.Fhir.Model;

namespace Chronicle.Fhir.Search;

public sealed record SearchPaging(int DefaultCount = 20, int MaxCount = 100);

/// <summary>
/// Turns a search's query parameters into a <see cref="SearchRequest"/> against one resource type's definition.
/// Under <see cref="SearchHandling.Strict"/> (the default) every parameter the definition does not support is refused
/// (400, all of them named at once): a client that filters on something the server ignores would otherwise read an
/// unfiltered result as a filtered one. Under <see cref="SearchHandling.Lenient"/> (<c>Prefer: handling=lenient</c>) what
/// is not supported is left out, of the search and of its links. A value that is wrong (a date that is no date) is a 400
/// either way.
/// </summary>
public static class SearchRequestParser
{
    public const string CountParameter = "_count";
    public const string IncludeParameter = "_include";
    public const string CursorParameter = "_cursor";
    public const string FormatParameter = "_format";
    public const string SortParameter = "_sort";
    public const string SummaryParameter = "_summary";
    public const string ElementsParameter = "_elements";
    public const string TotalParameter = "_total";

    /// <summary>The parameters of the search itself, beside the type's own, that <paramref name="definition"/> takes.</summary>
    public static IReadOnlyList<string> CommonParameters(FhirResourceDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return [CountParameter, SortParameter, SummaryParameter, ElementsParameter, TotalParameter, .. definition.Includes.Count > 0 ? [IncludeParameter] : Array.Empty<string>()];
    }

    public static SearchRequest Parse(FhirResourceDefinition definition, IEnumerable<KeyValuePair<string, string?>> query,
        SearchPaging? paging = null, SearchHandling handling = SearchHandling.Strict)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(query);
        paging ??= new SearchPaging();
        var lenient = handling == SearchHandling.Lenient;
        var criteria = new List<SearchCriterion>();
        var includes = new List<IncludeDefinition>();
        var unsupported = new List<string>();
        var kept = new List<KeyValuePair<string, string?>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int? count = null;
        string? cursor = null;
        IReadOnlyList<SearchSortKey> sort = [];
        var summary = SummaryMode.False;
        IReadOnlyList<string> elements = [];
        var total = TotalMode.Accurate;

        void Once(string name)
        {
            if (!seen.Add(name))
                throw FhirException.BadRequest($"'{name}' is given more than once.");
        }

        // What the search does not support: refused under strict, left out (of the search and its links) under lenient.
        bool Unsupported(string description)
        {
            if (!lenient)
                unsupported.Add(description);
            return false;
        }

        foreach (var (rawName, rawValue) in query)
        {
            var value = rawValue ?? "";
            var (name, modifier) = SplitModifier(rawName);
            var keep = true;
            switch (name)
            {
                case FormatParameter:
                    break;
                case CountParameter:
                    RejectModifier(rawName, modifier);
                    Once(name);
                    count = ParseCount(value, paging, allowZero: true);
                    break;
                case CursorParameter:
                    RejectModifier(rawName, modifier);
                    cursor = value.Length == 0 ? null : value;
                    break;
                case IncludeParameter:
                    RejectModifier(rawName, modifier);
                    if (value.Length == 0)
                        break;
                    if (FindInclude(definition, value) is { } include)
                        includes.Add(include);
                    else
                        keep = Unsupported($"'{IncludeParameter}={value}'");
                    break;
                case SortParameter:
                    RejectModifier(rawName, modifier);
                    Once(name);
                    var sortKeys = new List<SearchSortKey>();
                    foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        var descending = part.StartsWith('-');
                        var parameterName = descending ? part[1..] : part;
                        if (definition.SortParameters.Contains(parameterName, StringComparer.Ordinal) && definition.FindSearchParameter(parameterName) is { } p)
                        {
                            if (sortKeys.Any(k => k.Parameter.Name == parameterName))
                                throw FhirException.BadRequest($"'{SortParameter}' names '{parameterName}' more than once.");
                            sortKeys.Add(new SearchSortKey(p, descending));
                        }
                        else
                        {
                            Unsupported($"'{SortParameter}={part}'");
                        }
                    }

                    sort = sortKeys;
                    keep = false;
                    if (sortKeys.Count > 0)
                        kept.Add(new(rawName, string.Join(',', sortKeys)));
                    break;
                case SummaryParameter:
                    RejectModifier(rawName, modifier);
                    Once(name);
                    summary = value switch
                    {
                        "true" => SummaryMode.True,
                        "text" => SummaryMode.Text,
                        "data" => SummaryMode.Data,
                        "count" => SummaryMode.Count,
                        "false" => SummaryMode.False,
                        _ => throw FhirException.BadRequest($"'{SummaryParameter}={value}' is not a summary: use true, text, data, count or false."),
                    };
                    break;
                case ElementsParameter:
                    RejectModifier(rawName, modifier);
                    Once(name);
                    var names = new List<string>();
                    foreach (var element in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (ResourceSubsets.IsElementOf(definition.Type, element))
                            names.Add(element);
                        else
                            Unsupported($"'{ElementsParameter}={element}' ({definition.Type} has no element '{element}')");
                    }

                    elements = names.Distinct(StringComparer.Ordinal).ToList();
                    keep = false;
                    if (elements.Count > 0)
                        kept.Add(new(rawName, string.Join(',', elements)));
                    break;
                case TotalParameter:
                    RejectModifier(rawName, modifier);
                    Once(name);
                    total = value switch
                    {
                        "none" => TotalMode.None,
                        "estimate" => TotalMode.Estimate,
                        "accurate" => TotalMode.Accurate,
                        _ => throw FhirException.BadRequest($"'{TotalParameter}={value}' is not a total: use none, estimate or accurate."),
                    };
                    break;
                default:
                    var parameter = definition.FindSearchParameter(name);
                    if (parameter is null)
                    {
                        keep = Unsupported($"'{rawName}'");
                        break;
                    }

                    // FHIR: a parameter present without a value is ignored.
                    if (value.Length == 0)
                        break;
                    try
                    {
                        criteria.Add(ParseCriterion(parameter, rawName, modifier, value));
                    }
                    catch (FhirException e) when (lenient && e.IssueType == OperationOutcome.IssueType.NotSupported)
                    {
                        keep = false;
                    }

                    break;
            }

            if (keep)
                kept.Add(new(rawName, rawValue));
        }

        if (unsupported.Count > 0)
        {
            var sortable = definition.SortParameters.Count > 0 ? $" Sortable: {string.Join(", ", definition.SortParameters)} ('-' first for descending)." : "";
            var includable = definition.Includes.Count > 0 ? $" Includes: {string.Join(", ", definition.Includes)}." : "";
            throw FhirException.NotSupported(
                $"{definition.Type} search does not support {string.Join(", ", unsupported.Distinct(StringComparer.Ordinal))}. Supported: " +
                $"{string.Join(", ", definition.SearchParameters.Select(p => p.Name).Concat(CommonParameters(definition)))}.{sortable}{includable} " +
                "Send 'Prefer: handling=lenient' to have what is not supported ignored.");
        }

        if (elements.Count > 0 && summary is not SummaryMode.False and not SummaryMode.Count)
            throw FhirException.BadRequest($"'{SummaryParameter}' and '{ElementsParameter}' cannot be used together: ask for a summary or for elements.");

        return new SearchRequest(definition.Type, criteria, count ?? paging.DefaultCount, includes, cursor)
        {
            Sort = sort,
            Summary = summary,
            Elements = elements,
            Total = total,
            Kept = kept,
        };
    }

    private static (string Name, string? Modifier) SplitModifier(string rawName)
    {
        var colon = rawName.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (rawName, null) : (rawName[..colon], rawName[(colon + 1)..]);
    }

    private static void RejectModifier(string rawName, string? modifier)
    {
        if (modifier is not null)
            throw FhirException.NotSupported($"The parameter '{rawName}' does not take a modifier.");
    }

    /// <summary>
    /// A page size: a whole number of 1 or more. FHIR lets a server return fewer than asked for, so a count above
    /// <see cref="SearchPaging.MaxCount"/> is cut to it (and the CapabilityStatement and the error text say so).
    /// </summary>
    /// <param name="allowZero">A search's <c>_count=0</c> asks for the total alone, no entries.</param>
    public static int ParseCount(string value, SearchPaging paging, bool allowZero = false)
    {
        ArgumentNullException.ThrowIfNull(paging);
        var least = allowZero ? 0 : 1;
        if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            || count < least)
            throw FhirException.BadRequest($"'{CountParameter}' must be a whole number of {least} or more; it was '{value}'. {CountRule(paging)}");
        return Math.Min(count, paging.MaxCount);
    }

    /// <summary>How page sizes work, in one sentence, for errors and the CapabilityStatement.</summary>
    public static string CountRule(SearchPaging paging)
    {
        ArgumentNullException.ThrowIfNull(paging);
        return $"Pages hold {paging.DefaultCount} entries unless '{CountParameter}' asks otherwise, and at most {paging.MaxCount}: a larger '{CountParameter}' is cut to {paging.MaxCount}.";
    }

    private static IncludeDefinition? FindInclude(FhirResourceDefinition definition, string value) =>
        definition.Includes.FirstOrDefault(i =>
            string.Equals(value, i.ToString(), StringComparison.Ordinal)
            || string.Equals(value, $"{i}:{i.TargetType}", StringComparison.Ordinal));

    private static SearchCriterion ParseCriterion(SearchParameterDefinition parameter, string rawName, string? modifier, string value)
    {
        var alternatives = SplitAlternatives(value);
        switch (parameter.Type)
        {
            case SearchParamType.Token:
                RejectModifier(rawName, modifier);
                return new TokenCriterion(parameter, alternatives.Select(a => ParseToken(rawName, a)).ToList());
            case SearchParamType.String:
                if (modifier is not null and not "exact")
                    throw FhirException.NotSupported($"The modifier ':{modifier}' is not supported on '{parameter.Name}'; only ':exact' is.");
                return new StringCriterion(parameter, alternatives, modifier == "exact");
            case SearchParamType.Uri:
                RejectModifier(rawName, modifier);
                return new UriCriterion(parameter, alternatives.Select(Unescape).ToList());
            case SearchParamType.Date:
                RejectModifier(rawName, modifier);
                return new DateCriterion(parameter, alternatives.Select(a => ParseDate(rawName, a)).ToList());
            case SearchParamType.Reference:
                if (modifier is not null && modifier != parameter.TargetType)
                    throw FhirException.NotSupported($"'{rawName}' can only refer to {parameter.TargetType} resources.");
                return new ReferenceCriterion(parameter, alternatives.Select(a => ParseReference(parameter, rawName, a)).ToList());
            default:
                throw new InvalidOperationException($"Search parameter type {parameter.Type} of '{parameter.Name}' has no parser.");
        }
    }

    private static TokenValue ParseToken(string rawName, string value)
    {
        var bar = IndexOfUnescaped(value, '|');
        if (bar < 0)
            return new TokenValue(null, Unescape(value));
        var system = Unescape(value[..bar]);
        var code = Unescape(value[(bar + 1)..]);
        if (system.Length == 0 && code.Length == 0)
            throw FhirException.BadRequest($"'{rawName}={value}' names neither a system nor a code.");
        return new TokenValue(system.Length == 0 ? null : system, code.Length == 0 ? null : code, SystemMustBeAbsent: system.Length == 0);
    }

    private static DateComparison ParseDate(string rawName, string value)
    {
        var prefix = DatePrefix.Eq;
        var rest = value;
        if (value.Length > 2 && char.IsAsciiLetter(value[0]) && char.IsAsciiLetter(value[1]) && char.IsAsciiDigit(value[2]))
        {
            prefix = value[..2] switch
            {
                "eq" => DatePrefix.Eq,
                "ne" => DatePrefix.Ne,
                "gt" => DatePrefix.Gt,
                "lt" => DatePrefix.Lt,
                "ge" => DatePrefix.Ge,
                "le" => DatePrefix.Le,
                _ => throw FhirException.NotSupported(
                    $"'{rawName}={value}': the prefix '{value[..2]}' is not supported; use eq, ne, gt, lt, ge or le."),
            };
            rest = value[2..];
        }

        return FhirDateRange.TryParse(rest, out var range, out var error)
            ? new DateComparison(prefix, range)
            : throw FhirException.BadRequest($"'{rawName}': {error}");
    }

    private static string ParseReference(SearchParameterDefinition parameter, string rawName, string value)
    {
        // Accepts "id", "Type/id" and an absolute URL ending in "Type/id". A parameter that may refer to any type
        // (no TargetType) keeps the type: its values are "Type/id", or "id" when none was given.
        var segments = value.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var id = segments[^1];
        if (segments.Length > 1 && parameter.TargetType is not null && segments[^2] != parameter.TargetType)
            throw FhirException.BadRequest($"'{rawName}={value}' must refer to a {parameter.TargetType}.");
        if (!FhirIds.IsValid(id))
            throw FhirException.BadRequest($"'{rawName}={value}': '{id}' is not a valid FHIR id.");
        return segments.Length > 1 && parameter.TargetType is null ? $"{segments[^2]}/{id}" : id;
    }

    /// <summary>Splits on commas not escaped with a backslash (FHIR's "\," escape).</summary>
    private static List<string> SplitAlternatives(string value)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\')
            {
                i++;
                continue;
            }

            if (value[i] == ',')
            {
                parts.Add(value[start..i]);
                start = i + 1;
            }
        }

        parts.Add(value[start..]);
        return parts.Where(p => p.Length > 0).ToList();
    }

    private static int IndexOfUnescaped(string value, char target)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\')
                i++;
            else if (value[i] == target)
                return i;
        }

        return -1;
    }

    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
            return value;
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
                i++;
            builder.Append(value[i]);
        }

        return builder.ToString();
    }
}
