using System.Collections.Concurrent;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Chronicle.Fhir.Search;

/// <summary>
/// <c>_summary</c> and <c>_elements</c>: a resource cut down to some of its elements, by Firely's own summary filters (the
/// elements the specification marks as summary, text, data, or the ones named plus every mandatory one), and tagged
/// SUBSETTED in <c>meta.tag</c> as FHIR requires, so nobody takes it for the whole resource.
/// </summary>
public static class ResourceSubsets
{
    /// <summary>The code system of the SUBSETTED tag (HL7 v3 ObservationValue).</summary>
    public const string SubsettedSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
    public const string SubsettedCode = "SUBSETTED";

    private static readonly ConcurrentDictionary<SummaryMode, JsonSerializerOptions> SummaryOptions = new();

    /// <summary>True when <paramref name="element"/> names a top-level element of <paramref name="resourceType"/> (a choice by its name without [x]).</summary>
    public static bool IsElementOf(string resourceType, string element)
    {
        var mapping = ModelInfo.ModelInspector.FindClassMapping(resourceType);
        return mapping?.FindMappedElementByName(element) is { } property && string.Equals(property.Name, element, StringComparison.Ordinal);
    }

    /// <summary>
    /// The resource as <paramref name="summary"/> and <paramref name="elements"/> ask for it: itself when they ask for all
    /// of it, else a new, SUBSETTED copy (the original is not changed).
    /// </summary>
    public static Resource Apply(Resource resource, SummaryMode summary, IReadOnlyList<string> elements)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(elements);
        JsonSerializerOptions options;
        if (elements.Count > 0)
            options = Options(() => SerializationFilter.ForElements([.. elements.Append("id").Append("meta").Distinct(StringComparer.Ordinal)], true));
        else if (summary is SummaryMode.True or SummaryMode.Text or SummaryMode.Data)
            options = SummaryOptions.GetOrAdd(summary, mode => Options(mode switch
            {
                // The summary elements, and the mandatory ones the specification does not mark as summary (AuditEvent.agent,
                // AuditEvent.source): without them the entry would not be a valid resource, and strict clients refuse it.
                SummaryMode.True => () => new BundleFilter(new ElementMetadataFilter { IncludeInSummary = true, IncludeMandatory = true }),
                SummaryMode.Text => SerializationFilter.ForText,
                _ => SerializationFilter.ForData,
            }));
        else
            return resource;

        // Serialised inside a Bundle, as in a search result, so the filter applies to the resource as it does to search entries.
        var wrapped = new Bundle { Type = Bundle.BundleType.Collection, Entry = [new Bundle.EntryComponent { Resource = resource }] };
        var json = JsonSerializer.Serialize(wrapped, options);
        var subset = FhirJson.Deserialize<Bundle>(json).Entry.Single().Resource
            ?? throw new InvalidOperationException($"{resource.TypeName}/{resource.Id} lost its content to the summary filter.");
        subset.Meta ??= new Meta();
        if (!subset.Meta.Tag.Any(t => t.System == SubsettedSystem && t.Code == SubsettedCode))
            subset.Meta.Tag.Add(new Coding(SubsettedSystem, SubsettedCode, "subsetted"));
        return subset;
    }

    private static JsonSerializerOptions Options(Func<SerializationFilter> filter) =>
        new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector, new FhirJsonConverterOptions { SummaryFilterFactory = filter });
}
