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
    string? Cursor);
