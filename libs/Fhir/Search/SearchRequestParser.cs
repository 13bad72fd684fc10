using System.Text;
using Hl7.Fhir.Model;

namespace Chronicle.Fhir.Search;

public sealed record SearchPaging(int DefaultCount = 20, int MaxCount = 100);

/// <summary>
/// Turns a search's query parameters into a <see cref="SearchRequest"/> against one resource type's definition.
/// Every parameter the definition does not list is refused (400, all of them named at once): a client that
/// filters on something the server ignores would otherwise read an unfiltered result as a filtered one.
/// </summary>
public static class SearchRequestParser
{
    public const string CountParameter = "_count";
    public const string IncludeParameter = "_include";
    public const string CursorParameter = "_cursor";
    public const string FormatParameter = "_format";

    public static SearchRequest Parse(FhirResourceDefinition definition, IEnumerable<KeyValuePair<string, string?>> query,
        SearchPaging? paging = null)
    {
        paging ??= new SearchPaging();
        var criteria = new List<SearchCriterion>();
        var includes = new List<IncludeDefinition>();
        var unknown = new List<string>();
        int? count = null;
        string? cursor = null;

        foreach (var (rawName, rawValue) in query)
        {
            var value = rawValue ?? "";
            var (name, modifier) = SplitModifier(rawName);
            switch (name)
            {
                case FormatParameter:
                    continue;
                case CountParameter:
                    RejectModifier(rawName, modifier);
                    count = ParseCount(count, value, paging);
                    continue;
                case CursorParameter:
                    RejectModifier(rawName, modifier);
                    cursor = value.Length == 0 ? null : value;
                    continue;
                case IncludeParameter:
                    RejectModifier(rawName, modifier);
                    if (value.Length > 0)
                        includes.Add(ParseInclude(definition, value));
                    continue;
            }

            var parameter = definition.FindSearchParameter(name);
            if (parameter is null)
            {
                unknown.Add(rawName);
                continue;
            }

            // FHIR: a parameter present without a value is ignored.
            if (value.Length == 0)
                continue;
            criteria.Add(ParseCriterion(parameter, rawName, modifier, value));
        }

        if (unknown.Count > 0)
        {
            throw FhirException.NotSupported(
                $"{definition.Type} search does not support the parameter{(unknown.Count > 1 ? "s" : "")} " +
                $"{string.Join(", ", unknown.Distinct(StringComparer.Ordinal).Select(u => $"'{u}'"))}. Supported: " +
                $"{string.Join(", ", definition.SearchParameters.Select(p => p.Name).Concat([CountParameter, IncludeParameter]))}.");
        }

        return new SearchRequest(definition.Type, criteria, count ?? paging.DefaultCount, includes, cursor);
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

    private static int ParseCount(int? earlier, string value, SearchPaging paging)
    {
        if (earlier is not null)
            throw FhirException.BadRequest($"'{CountParameter}' is given more than once.");
        return ParseCount(value, paging);
    }

    /// <summary>
    /// A page size: a whole number of 1 or more. FHIR lets a server return fewer than asked for, so a count above
    /// <see cref="SearchPaging.MaxCount"/> is cut to it (and the CapabilityStatement and the error text say so).
    /// </summary>
    public static int ParseCount(string value, SearchPaging paging)
    {
        ArgumentNullException.ThrowIfNull(paging);
        if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count)
            || count < 1)
            throw FhirException.BadRequest($"'{CountParameter}' must be a whole number of 1 or more; it was '{value}'. {CountRule(paging)}");
        return Math.Min(count, paging.MaxCount);
    }

    /// <summary>How page sizes work, in one sentence, for errors and the CapabilityStatement.</summary>
    public static string CountRule(SearchPaging paging)
    {
        ArgumentNullException.ThrowIfNull(paging);
        return $"Pages hold {paging.DefaultCount} entries unless '{CountParameter}' asks otherwise, and at most {paging.MaxCount}: a larger '{CountParameter}' is cut to {paging.MaxCount}.";
    }

    private static IncludeDefinition ParseInclude(FhirResourceDefinition definition, string value)
    {
        var include = definition.Includes.FirstOrDefault(i =>
            string.Equals(value, i.ToString(), StringComparison.Ordinal)
            || string.Equals(value, $"{i}:{i.TargetType}", StringComparison.Ordinal));
        return include ?? throw FhirException.NotSupported(
            $"'_include={value}' is not supported for {definition.Type}." +
            (definition.Includes.Count > 0 ? $" Supported: {string.Join(", ", definition.Includes)}." : ""));
    }

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
