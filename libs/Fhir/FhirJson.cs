using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Chronicle.Fhir;

/// <summary>
/// The one JSON setup for FHIR R4 in Chronicle: compact output, and strict parsing that refuses unknown
/// elements and malformed values instead of silently dropping data.
/// </summary>
public static class FhirJson
{
    private static readonly JsonSerializerOptions WriteOptions = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    private static readonly JsonSerializerOptions StrictOptions =
        new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).UsingMode(DeserializationMode.Strict);

    public static string Serialize(Resource resource) => JsonSerializer.Serialize(resource, WriteOptions);

    public static byte[] SerializeToUtf8Bytes(Resource resource) => JsonSerializer.SerializeToUtf8Bytes(resource, WriteOptions);

    /// <summary>Parses a resource strictly.</summary>
    /// <exception cref="FhirException">422 when the content is not a valid <typeparamref name="T"/>.</exception>
    public static T Deserialize<T>(string json) where T : Resource
    {
        try
        {
            return JsonSerializer.Deserialize<Resource>(json, StrictOptions) as T
                ?? throw FhirException.Unprocessable($"The content is not a {ModelInfo.GetFhirTypeNameForType(typeof(T))} resource.");
        }
        catch (DeserializationFailedException e)
        {
            throw FhirException.Unprocessable($"The content is not valid FHIR R4 JSON: {e.Message}");
        }
        catch (JsonException e)
        {
            throw FhirException.Unprocessable($"The content is not well-formed JSON: {e.Message}");
        }
    }

    public static Resource Deserialize(string json) => Deserialize<Resource>(json);
}
