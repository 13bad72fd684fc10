using Chronicle.Fhir.Conformance;
using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;

namespace Chronicle.Fhir;

/// <summary>What a FHIR server says about itself, in the terms the CapabilityStatement needs.</summary>
public sealed record FhirServerDescription(
    string Name,
    string Title,
    string Description,
    string SoftwareName,
    string SoftwareVersion,
    DateOnly PublishedOn,
    IReadOnlyList<FhirResourceDefinition> Resources)
{
    /// <summary>The page sizes searches and other paged interactions use.</summary>
    public SearchPaging Paging { get; init; } = new();
}

public static class CapabilityStatements
{
    /// <summary>
    /// The server's CapabilityStatement, listing exactly the resources, interactions, search parameters, includes
    /// and operations in <paramref name="server"/>, plus the paging and format parameters every search accepts, Chronicle's
    /// definitions (served by every server), and, when <paramref name="smart"/> is given, how to get a token.
    /// Every search parameter names its definition: R4's own, or Chronicle's for one it gives its own meaning; one with
    /// neither cannot be listed (<see cref="InvalidOperationException"/>), so the statement never claims what nothing defines.
    /// </summary>
    public static CapabilityStatement Build(FhirServerDescription server, string baseUrl, SmartEndpoints? smart = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        var rest = new CapabilityStatement.RestComponent
        {
            Security = smart is null ? null : SmartConfiguration.Security(smart),
            Mode = CapabilityStatement.RestfulCapabilityMode.Server,
            Documentation = "Read-only. Search by GET or by POST [type]/_search (form parameters merged with the query string). " +
                "Every search takes _sort (each type's date parameters and _lastUpdated, '-' for descending), _summary (true, text, data, " +
                "count, false), _elements (cut-down resources are tagged SUBSETTED), _total (none, estimate, accurate) and _count (0 for the " +
                $"total alone); every searchset carries its total unless _total=none. {SearchRequestParser.CountRule(server.Paging)} " +
                "Prefer: handling=strict (the default) refuses a parameter the type does not support with a 400 naming it; " +
                "Prefer: handling=lenient ignores it and leaves it out of the links. 'next' links page by keyset and stay stable while " +
                "data is added. HEAD answers as GET, without the body.",
            Resource = server.Resources.Concat(ChronicleDefinitions.ResourceDefinitions).Select(ResourceComponent).ToList(),
        };
        return new CapabilityStatement
        {
            Url = $"{baseUrl}/metadata",
            Name = server.Name,
            Title = server.Title,
            Status = PublicationStatus.Active,
            Experimental = false,
            Date = server.PublishedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Description = server.Description,
            Kind = CapabilityStatementKind.Instance,
            Software = new CapabilityStatement.SoftwareComponent { Name = server.SoftwareName, Version = server.SoftwareVersion },
            // R4 types implementation.description as string; Firely's Description setter writes markdown (R5's type).
            Implementation = new CapabilityStatement.ImplementationComponent { DescriptionElement = new FhirString(server.Description), Url = baseUrl },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = [FhirMediaTypes.FhirJson, "json"],
            Rest = [rest],
        };
    }

    /// <summary>One resource type as listed: versioning and history are claimed only where vread is served.</summary>
    public static CapabilityStatement.ResourceComponent ResourceComponent(FhirResourceDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var versioned = definition.Interactions.Contains(CapabilityStatement.TypeRestfulInteraction.Vread);
        return new CapabilityStatement.ResourceComponent
        {
            Type = definition.Type,
            Profile = definition.Profile,
            Documentation = definition.Documentation,
            Interaction = definition.Interactions.Select(i => new CapabilityStatement.ResourceInteractionComponent { Code = i }).ToList(),
            Versioning = versioned ? CapabilityStatement.ResourceVersionPolicy.Versioned : CapabilityStatement.ResourceVersionPolicy.NoVersion,
            ReadHistory = versioned,
            UpdateCreate = false,
            ConditionalRead = CapabilityStatement.ConditionalReadStatus.FullSupport,
            SearchInclude = definition.Includes.Select(i => i.ToString()),
            SearchParam = definition.SearchParameters.Select(p => new CapabilityStatement.SearchParamComponent
            {
                Name = p.Name,
                Definition = DefinitionOf(definition.Type, p),
                Type = p.Type,
                Documentation = p.Documentation,
            }).ToList(),
            Operation = definition.Operations.Select(o => new CapabilityStatement.OperationComponent
            {
                Name = o.Name,
                Definition = o.Definition,
                Documentation = o.Documentation,
            }).ToList(),
        };
    }

    /// <summary>
    /// The canonical URL of the SearchParameter that defines <paramref name="parameter"/> on <paramref name="type"/>: the
    /// parameter's own (Chronicle's), or R4's of that name and type.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither defines it.</exception>
    public static string DefinitionOf(string type, SearchParameterDefinition parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (parameter.Definition is { } own)
            return own;
        switch (parameter.Name)
        {
            case "_id":
                return "http://hl7.org/fhir/SearchParameter/Resource-id";
            case "_lastUpdated":
                return "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated";
        }

        var standard = ModelInfo.SearchParameters.FirstOrDefault(s => s.Resource == type && s.Name == parameter.Name);
        if (standard?.Url is null || standard.Type != parameter.Type)
            throw new InvalidOperationException($"{type}?{parameter.Name} ({parameter.Type}) is not an R4 search parameter of that type; " +
                "give it a definition of its own (Chronicle.Fhir.Conformance.ChronicleDefinitions) or leave it out.");
        return standard.Url;
    }
}
