using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;

namespace Chronicle.Fhir;

/// <summary>An <c>_include</c> a server honours, e.g. <c>Condition:patient</c> (the Patient a Condition is about).</summary>
public sealed record IncludeDefinition(string SourceType, string Parameter, string TargetType)
{
    public override string ToString() => $"{SourceType}:{Parameter}";
}

/// <summary>An operation on a resource type, e.g. Patient/$everything, with its parameters documented for the CapabilityStatement.</summary>
public sealed record OperationDefinitionReference(string Name, string Definition, string Documentation);

/// <summary>
/// Everything a server supports for one resource type. The same definition drives request validation (which search
/// parameters exist) and the CapabilityStatement, so the two cannot disagree.
/// </summary>
public sealed record FhirResourceDefinition(string Type)
{
    public IReadOnlyList<CapabilityStatement.TypeRestfulInteraction> Interactions { get; init; } =
    [
        CapabilityStatement.TypeRestfulInteraction.Read,
        CapabilityStatement.TypeRestfulInteraction.Vread,
        CapabilityStatement.TypeRestfulInteraction.HistoryInstance,
        CapabilityStatement.TypeRestfulInteraction.SearchType,
    ];

    public IReadOnlyList<SearchParameterDefinition> SearchParameters { get; init; } = [];
    public IReadOnlyList<IncludeDefinition> Includes { get; init; } = [];
    public IReadOnlyList<OperationDefinitionReference> Operations { get; init; } = [];
    public string? Documentation { get; init; }
    public string? Profile { get; init; }

    /// <summary>The parameters <c>_sort</c> takes; unless set, every date parameter of the type.</summary>
    public IReadOnlyList<string> SortParameters
    {
        get => _sortParameters ?? [.. SearchParameters.Where(p => p.Type == SearchParamType.Date).Select(p => p.Name)];
        init => _sortParameters = value;
    }

    private readonly IReadOnlyList<string>? _sortParameters;

    public SearchParameterDefinition? FindSearchParameter(string name) =>
        SearchParameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
}
