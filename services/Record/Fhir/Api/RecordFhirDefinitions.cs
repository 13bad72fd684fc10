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
    public const string StartParameter = "start";
    public const string EndParameter = "end";
    public const string TypeParameter = "_type";

    /// <summary>
    /// Each type's care date for <c>$everything</c>'s start and end: the search parameter (of the type's own) that says when
    /// the care it records took place. A type not listed has none (FamilyMemberHistory); the Patient is not dated.
    /// </summary>
    public static IReadOnlyDictionary<string, string> CareDates { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Encounter"] = "date",
        ["Condition"] = "onset-date",
        ["Observation"] = "date",
        ["AllergyIntolerance"] = "date",
        ["MedicationStatement"] = "effective",
        ["Immunization"] = "date",
        ["ServiceRequest"] = "authored",
        ["DocumentReference"] = "date",
        ["Procedure"] = "date",
        ["Provenance"] = "recorded",
    };

    /// <summary>The Patient type, with Patient/$everything.</summary>
    public static FhirResourceDefinition Patient { get; } = RecordResourceTypes.Patient.Definition with
    {
        Operations =
        [
            new OperationDefinitionReference(EverythingOperation, Chronicle.Fhir.Conformance.ChronicleDefinitions.PatientEverythingOperation,
                $"GET Patient/{{id}}/$everything: the patient and every resource of their record (current versions, Provenance included). " +
                $"'{StartParameter}' and '{EndParameter}' (dates) keep the Patient and the resources whose care date (Encounter, Observation, AllergyIntolerance, " +
                "Immunization, DocumentReference and Procedure 'date', Condition 'onset-date', MedicationStatement 'effective', ServiceRequest 'authored', " +
                "Provenance 'recorded') reaches into that range; resources without one are left out. " +
                $"'{TypeParameter}' (comma-separated resource types) keeps those types only; a type not served here is a 400. " +
                $"'{SinceParameter}' (instant) keeps resources last updated at or after it. '{PointInTimeParameter}' (instant, or a date for its end) returns " +
                "the record exactly as it stood at that moment, rebuilt from the event stream, with the other parameters applied to it. " +
                "'_count' pages the result; 'total' counts every page."),
            new OperationDefinitionReference(PatientSummaryApi.Operation, PatientSummaryApi.Definition,
                "GET Patient/{id}/$summary: an International Patient Summary-shaped document Bundle (a Composition, LOINC 60591-5, with the IPS " +
                "sections: problems, allergies, medication, immunisations, past problems, results, vital signs) and the resources it summarises; " +
                $"entries entered in error are left out. '{PointInTimeParameter}' gives the summary as the record stood then. Audited as Summary."),
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
