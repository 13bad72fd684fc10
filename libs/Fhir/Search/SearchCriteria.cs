using Hl7.Fhir.Model;

namespace Chronicle.Fhir.Search;

/// <summary>A search parameter a server supports for one resource type, as listed in its CapabilityStatement.</summary>
public sealed record SearchParameterDefinition(string Name, SearchParamType Type, string Documentation)
{
    /// <summary>For reference parameters: the resource type the reference must point at.</summary>
    public string? TargetType { get; init; }

    /// <summary>
    /// The canonical URL of its SearchParameter, for a parameter whose meaning is the server's own (see
    /// Chronicle.Fhir.Conformance.ChronicleDefinitions). Null for one of R4's, whose definition the CapabilityStatement finds itself.
    /// </summary>
    public string? Definition { get; init; }
}

/// <summary>One parameter of a search. Its values are alternatives (OR); repeated parameters must all match (AND).</summary>
public abstract record SearchCriterion(SearchParameterDefinition Parameter);

/// <summary><c>system|code</c>, <c>code</c> (any system), <c>|code</c> (no system) or <c>system|</c> (any code).</summary>
public sealed record TokenValue(string? System, string? Code, bool SystemMustBeAbsent = false)
{
    public bool Matches(string? system, string code) =>
        (Code is null || string.Equals(Code, code, StringComparison.Ordinal))
        && (SystemMustBeAbsent ? string.IsNullOrEmpty(system) : System is null || string.Equals(System, system, StringComparison.Ordinal));
}

public sealed record TokenCriterion(SearchParameterDefinition Parameter, IReadOnlyList<TokenValue> AnyOf) : SearchCriterion(Parameter);

/// <summary>Name matching: case-insensitive "starts with" by default, exact (case-sensitive, whole value) with <c>:exact</c>.</summary>
public sealed record StringCriterion(SearchParameterDefinition Parameter, IReadOnlyList<string> AnyOf, bool Exact) : SearchCriterion(Parameter);

/// <summary>A uri search: the whole value, exactly (FHIR's default for uri parameters; no modifiers).</summary>
public sealed record UriCriterion(SearchParameterDefinition Parameter, IReadOnlyList<string> AnyOf) : SearchCriterion(Parameter);

public sealed record DateCriterion(SearchParameterDefinition Parameter, IReadOnlyList<DateComparison> AnyOf) : SearchCriterion(Parameter);

/// <summary>A reference search, reduced to the logical ids of the <see cref="SearchParameterDefinition.TargetType"/>.</summary>
public sealed record ReferenceCriterion(SearchParameterDefinition Parameter, IReadOnlyList<string> AnyOfIds) : SearchCriterion(Parameter);

public enum DatePrefix
{
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
}

/// <summary>
/// A date comparison. A resource's date is a range too (a birth date is a whole day), and the prefixes follow
/// the FHIR rules for ranges: eq = the resource's range lies within the value's; ne = it does not;
/// gt/lt = it reaches after/before the value's range; ge/le = it reaches the value's range or beyond.
/// </summary>
public sealed record DateComparison(DatePrefix Prefix, FhirDateRange Value)
{
    public bool Matches(FhirDateRange resource) => Prefix switch
    {
        DatePrefix.Eq => resource.Low >= Value.Low && resource.High <= Value.High,
        DatePrefix.Ne => !(resource.Low >= Value.Low && resource.High <= Value.High),
        DatePrefix.Gt => resource.High > Value.High,
        DatePrefix.Lt => resource.Low < Value.Low,
        DatePrefix.Ge => resource.High >= Value.Low,
        DatePrefix.Le => resource.Low <= Value.High,
        _ => false,
    };
}

/// <summary>A parsed, validated search: what to match, how many per page, what to include, and where the page starts.</summary>
public sealed record SearchRequest(
    string ResourceType,
    IReadOnlyList<SearchCriterion> Criteria,
    int Count,
    IReadOnlyList<IncludeDefinition> Includes,
    string? Cursor)
{
    /// <summary>The order asked for (<c>_sort</c>); empty: the server's own order (when each resource was first recorded).</summary>
    public IReadOnlyList<SearchSortKey> Sort { get; init; } = [];

    public SummaryMode Summary { get; init; } = SummaryMode.False;

    /// <summary>The elements asked for (<c>_elements</c>); empty: all of them.</summary>
    public IReadOnlyList<string> Elements { get; init; } = [];

    public TotalMode Total { get; init; } = TotalMode.Accurate;

    /// <summary>The parameters the search honours, in the order given: the self and next links repeat these and nothing else.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Kept { get; init; } = [];

    /// <summary>False for <c>_count=0</c> and <c>_summary=count</c>: the total alone is asked for.</summary>
    public bool WantsEntries => Count > 0 && Summary != SummaryMode.Count;

    /// <summary>The Bundle carries <c>total</c> unless <c>_total=none</c> (<c>_summary=count</c> always does: the count is what it asks for).</summary>
    public bool WantsTotal => Summary == SummaryMode.Count || Total != TotalMode.None;

    /// <summary>What <see cref="Sort"/> is, as a cursor's first part, so a cursor is only taken back by the search order it was made for.</summary>
    public string SortSignature => string.Join(',', Sort);
}

/// <summary>One key of a <c>_sort</c>: a search parameter, ascending unless <see cref="Descending"/>.</summary>
/// <remarks>
/// A date parameter stands for a range: ascending orders by where each range starts, descending by where it ends, and a
/// resource with no value comes last either way.
/// </remarks>
public sealed record SearchSortKey(SearchParameterDefinition Parameter, bool Descending)
{
    public override string ToString() => (Descending ? "-" : "") + Parameter.Name;
}

/// <summary>How a server treats what it does not support, from the request's <c>Prefer: handling=</c>.</summary>
public enum SearchHandling
{
    /// <summary>Refuse with a 400 naming it. Chronicle's default.</summary>
    Strict,

    /// <summary>Ignore it, and leave it out of the links.</summary>
    Lenient,
}

/// <summary><c>_summary</c>: false (everything), true (the summary elements), text, data (all but text), count (the total only).</summary>
public enum SummaryMode
{
    False,
    True,
    Text,
    Data,
    Count,
}

/// <summary><c>_total</c>: Chronicle counts accurately for estimate too; none leaves the total out.</summary>
public enum TotalMode
{
    None,
    Estimate,
    Accurate,
}
