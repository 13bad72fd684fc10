using Chronicle.Fhir;
using Chronicle.Fhir.Search;
using Chronicle.Record.Fhir.Projection;

namespace Chronicle.Record.Fhir.Api;

/// <summary>
/// The FHIR surface of the Record: each resource type it serves and the search parameters each one honours.
/// The API validates requests against these and the CapabilityStatement is generated from them.
/// </summary>
public static class RecordFhirDefinitions
{
    public const string EverythingOperation = "everything";
    public const string PointInTimeParameter = "_at";
    public const string SinceParameter = "_since";

    /// <summary>The Patient type, with Patient/$everything.</summary>
    public static FhirResourceDefinition Patient { get; } = RecordResourceTypes.Patient.Definition with
    {
        Operations =
        [
            new OperationDefinitionReference(EverythingOperation, Chronicle.Fhir.Conformance.ChronicleDefinitions.PatientEverythingOperation,
                $"GET Patient/{{id}}/$everything: the patient and every resource of their record (current versions, Provenance included). " +
                $"'{SinceParameter}' (instant) keeps resources last updated at or after it. '{PointInTimeParameter}' (instant, or a date for its end) returns " +
                "the record exactly as it stood at that moment, rebuilt from the event stream. '_count' pages the result."),
        ],
    };

    /// <summary>Every type the projection shows the record as (<see cref="RecordResourceTypes"/>), Patient first.</summary>
    public static IReadOnlyList<FhirResourceDefinition> All { get; } =
        [Patient, .. RecordResourceTypes.All.Where(t => t != RecordResourceTypes.Patient).Select(t => t.Definition)];

    public static FhirResourceDefinition? Find(string type) =>
        All.FirstOrDefault(d => string.Equals(d.Type, type, StringComparison.Ordinal));

    public static FhirServerDescription Server(string softwareVersion) => new(
        Name: "ChronicleRecord",
        Title: "Chronicle Record FHIR API",
        Description: "The longitudinal GP patient record, read-only, as FHIR R4. Every resource version comes from an event, " +
            "so history and vread are exact; Patient/$everything can return the record as it stood at any past moment.",
        SoftwareName: "Chronicle Record",
        SoftwareVersion: softwareVersion,
        PublishedOn: new DateOnly(2025, 1, 1),
        Resources: All);
}
