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
    /// and operations in <paramref name="server"/>, plus the paging and format parameters every search accepts.
    /// </summary>
    public static CapabilityStatement Build(FhirServerDescription server, string baseUrl)
    {
        ArgumentNullException.ThrowIfNull(server);
        var rest = new CapabilityStatement.RestComponent
        {
            Mode = CapabilityStatement.RestfulCapabilityMode.Server,
            Documentation = "Read-only. Searches refuse parameters they do not support (400), by GET or by POST [type]/_search " +
                $"(form parameters merged with the query string). {SearchRequestParser.CountRule(server.Paging)} " +
                "'next' links page by keyset and stay stable while data is added. HEAD answers as GET, without the body.",
            Resource = server.Resources.Select(ResourceComponent).ToList(),
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

    private static CapabilityStatement.ResourceComponent ResourceComponent(FhirResourceDefinition definition) => new()
    {
        Type = definition.Type,
        Profile = definition.Profile,
        Documentation = definition.Documentation,
        Interaction = definition.Interactions.Select(i => new CapabilityStatement.ResourceInteractionComponent { Code = i }).ToList(),
        Versioning = CapabilityStatement.ResourceVersionPolicy.Versioned,
        ReadHistory = true,
        UpdateCreate = false,
        ConditionalRead = CapabilityStatement.ConditionalReadStatus.FullSupport,
        SearchInclude = definition.Includes.Select(i => i.ToString()),
        SearchParam = definition.SearchParameters.Select(p => new CapabilityStatement.SearchParamComponent
        {
            Name = p.Name,
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
