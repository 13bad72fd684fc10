using Microsoft.Net.Http.Headers;

namespace Chronicle.Fhir;

/// <summary>Content negotiation for a JSON-only FHIR server.</summary>
public static class FhirMediaTypes
{
    public const string FhirJson = "application/fhir+json";
    public const string FhirJsonUtf8 = "application/fhir+json; charset=utf-8";

    private static readonly string[] JsonTypes = [FhirJson, "application/json", "application/*", "*/*"];

    /// <summary>
    /// True when an Accept header (or a <c>_format</c> value) admits FHIR JSON. An absent or empty value admits it.
    /// </summary>
    public static bool AdmitsFhirJson(IEnumerable<string?> acceptValues)
    {
        var any = false;
        foreach (var value in acceptValues)
        {
            if (string.IsNullOrWhiteSpace(value))
                continue;
            any = true;
            if (!MediaTypeHeaderValue.TryParseList([value], out var types))
                continue;
            foreach (var type in types)
            {
                if (type.Quality is 0)
                    continue;
                if (JsonTypes.Any(json => type.MediaType.Equals(json, StringComparison.OrdinalIgnoreCase)))
                    return true;
            }
        }

        return !any;
    }

    /// <summary>The <c>_format</c> parameter's short forms ("json", "xml") as well as full media types.</summary>
    public static bool FormatParameterAdmitsFhirJson(string? format) => format is null
        || format.Equals("json", StringComparison.OrdinalIgnoreCase)
        || AdmitsFhirJson([format]);
}
