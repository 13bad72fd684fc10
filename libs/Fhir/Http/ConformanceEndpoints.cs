using System.Text.Json;
using Chronicle.Fhir.Conformance;
using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Fhir.Http;

/// <summary>
/// What every Chronicle FHIR server serves about itself besides its CapabilityStatement: Chronicle's definitions
/// (<see cref="ChronicleDefinitions"/>) and SMART's <c>.well-known/smart-configuration</c>. None of it is patient data and
/// none of it needs a token; the caller marks the group so (auditing's NoPatientData, AllowAnonymous).
/// </summary>
public static class ConformanceEndpoints
{
    /// <summary>Maps the definitions' read and search, and the SMART configuration, under the FHIR group <paramref name="fhir"/>.</summary>
    /// <param name="routePrefix">The FHIR group's prefix (e.g. /fhir), for the links of a search's Bundle.</param>
    /// <returns>The group of these endpoints, for the caller's conventions.</returns>
    public static RouteGroupBuilder MapFhirConformance(this IEndpointRouteBuilder fhir, string routePrefix)
    {
        ArgumentNullException.ThrowIfNull(fhir);
        var group = fhir.MapGroup("");
        foreach (var definition in ChronicleDefinitions.ResourceDefinitions)
        {
            var type = definition.Type;
            group.MapFhirRead($"/{type}", (HttpRequest request) => Search(request, definition, FhirRequestUrls.BaseUrl(request, routePrefix)));
            group.MapFhirRead($"/{type}/{{id}}", (string id) => ChronicleDefinitions.Find(type, id) is { } found
                ? FhirResults.Resource(found)
                : throw FhirException.NotFound($"{type}/{id} is not one of Chronicle's definitions."));
        }

        group.MapFhirRead(SmartConfiguration.WellKnownPath, SmartConfigurationAsync);
        return group;
    }

    private static IResult Search(HttpRequest request, FhirResourceDefinition definition, string baseUrl)
    {
        var query = request.Query.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)));
        var search = SearchRequestParser.Parse(definition, query);
        var matches = ChronicleDefinitions.All.Where(r => r.TypeName == definition.Type).Where(r => search.Criteria.All(c => c switch
        {
            UriCriterion { Parameter.Name: "url" } url => url.AnyOf.Any(u => ((IConformanceResource)r).Url == u.Split('|', 2)[0]),
            TokenCriterion { Parameter.Name: "_id" } id => id.AnyOf.Any(t => t.Code == r.Id),
            _ => true,
        })).ToList();
        var bundle = FhirBundles.SearchSet(baseUrl, matches, [], new Uri($"{baseUrl}/{definition.Type}{request.QueryString}"), null);
        bundle.Total = matches.Count;
        return FhirResults.Resource(bundle);
    }

    private static async Task<IResult> SmartConfigurationAsync(HttpContext context)
    {
        var source = context.RequestServices.GetService<ISmartConfigurationSource>()
            ?? throw FhirException.NotFound("This server checks no tokens (security is switched off), so it has no SMART configuration.");
        var endpoints = await source.GetAsync(context.RequestAborted).ConfigureAwait(false)
            ?? throw FhirException.Unavailable("The authorization server's discovery document cannot be read now; try again shortly.");
        return Results.Text(SmartConfiguration.Document(endpoints).ToJsonString(new JsonSerializerOptions { WriteIndented = false }),
            "application/json", System.Text.Encoding.UTF8);
    }
}
