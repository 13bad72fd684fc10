namespace Chronicle.Fhir.Http;

/// <summary>
/// Turns another library's transport-neutral exception (libs/Security's refusals, say) into the
/// <see cref="FhirException"/> a FHIR response carries; <see cref="FhirEndpointFilter"/> asks every registered mapping.
/// </summary>
public interface IFhirErrorMapping
{
    /// <summary>The FHIR error for <paramref name="error"/>; null when this mapping does not know it.</summary>
    FhirException? Map(Exception error);
}
