using Chronicle.Fhir;
using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;

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

    private static readonly SearchParameterDefinition Id = new SearchParameterDefinition("_id", SearchParamType.Token, "The logical id.");
    private static readonly SearchParameterDefinition LastUpdated = new SearchParameterDefinition("_lastUpdated", SearchParamType.Date,
        "When this version was recorded (meta.lastUpdated); prefixes eq, ne, gt, lt, ge, le; partial dates cover their whole span.");

    private static readonly SearchParameterDefinition PatientReference = new SearchParameterDefinition("patient", SearchParamType.Reference,
        "The patient the resource is about: 'Patient/{id}' or '{id}'.") { TargetType = "Patient" };

    public static FhirResourceDefinition Patient { get; } = new("Patient")
    {
        Documentation = "Demographics, NHS number (https://fhir.nhs.uk/Id/nhs-number) and registered GP practice (ODS code).",
        SearchParameters =
        [
            Id, LastUpdated,
            new SearchParameterDefinition("identifier", SearchParamType.Token, "NHS number: 'https://fhir.nhs.uk/Id/nhs-number|9990001234' or the bare number."),
            new SearchParameterDefinition("name", SearchParamType.String, "Family, given name or prefix; starts-with and case-insensitive, ':exact' for an exact part."),
            new SearchParameterDefinition("birthdate", SearchParamType.Date, "Date of birth."),
            new SearchParameterDefinition("gender", SearchParamType.Token, "male | female | other | unknown."),
        ],
        Operations =
        [
            new OperationDefinitionReference(EverythingOperation, "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                $"GET Patient/{{id}}/$everything: the patient and every resource of their record (current versions, Provenance included). " +
                $"'{SinceParameter}' (instant) keeps resources last updated at or after it. '{PointInTimeParameter}' (instant, or a date for its end) returns " +
                "the record exactly as it stood at that moment, rebuilt from the event stream. '_count' pages the result."),
        ],
    };

    public static IReadOnlyList<FhirResourceDefinition> All { get; } =
    [
        Patient,
        Clinical("Encounter", "Consultations (class AMB, VR or HH from the consultation mode).",
            new SearchParameterDefinition("date", SearchParamType.Date, "The consultation period.")),
        Clinical("Condition", "Problems (category problem-list-item, SNOMED CT codes).",
            Code("The problem's SNOMED CT code."),
            new SearchParameterDefinition("clinical-status", SearchParamType.Token, "active | resolved (entered-in-error problems have none)."),
            new SearchParameterDefinition("onset-date", SearchParamType.Date, "When the problem began.")),
        Clinical("Observation", "Measurements with UCUM quantities; blood pressure as systolic/diastolic components.",
            Code("The observation's SNOMED CT code."),
            new SearchParameterDefinition("date", SearchParamType.Date, "When the observation was made (effective).")),
        Clinical("AllergyIntolerance", "Allergies: substance, reaction, severity and criticality.",
            Code("The substance's code."),
            new SearchParameterDefinition("clinical-status", SearchParamType.Token, "active (entered-in-error allergies have none)."),
            new SearchParameterDefinition("date", SearchParamType.Date, "When the allergy was recorded.")),
        Clinical("MedicationStatement", "Medication taken, coded with dm+d (https://dmd.nhs.uk).",
            Code("The dm+d code."),
            new SearchParameterDefinition("effective", SearchParamType.Date, "When the patient started taking it.")),
        Clinical("Immunization", "Immunisations given.",
            new SearchParameterDefinition("vaccine-code", SearchParamType.Token, "The vaccine's code."),
            new SearchParameterDefinition("date", SearchParamType.Date, "When the vaccine was given.")),
        Clinical("ServiceRequest", "Referrals (intent order).",
            Code("The service referred to."),
            new SearchParameterDefinition("authored", SearchParamType.Date, "When the referral was made.")),
        Clinical("DocumentReference", "Free-text consultation notes: plain text, type LOINC 11506-3 (progress note), linked to their Encounter.",
            new SearchParameterDefinition("type", SearchParamType.Token, "The document type (http://loinc.org|11506-3)."),
            new SearchParameterDefinition("date", SearchParamType.Date, "When the note was written.")),
        Clinical("FamilyMemberHistory", "Conditions of the patient's relatives: the relationship (HL7 v3 RoleCode), the SNOMED CT condition and the age it began at."),
        Clinical("Provenance", "One per recorded event: the resource version it produced, who (user, role, organisation, on behalf of, client), when and why.",
            new SearchParameterDefinition("recorded", SearchParamType.Date, "When the event was recorded.")),
    ];

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

    private static SearchParameterDefinition Code(string documentation) => new SearchParameterDefinition("code", SearchParamType.Token, documentation);

    private static FhirResourceDefinition Clinical(string type, string documentation, params SearchParameterDefinition[] own) => new(type)
    {
        Documentation = documentation,
        SearchParameters = [Id, LastUpdated, PatientReference, .. own],
        Includes = [new IncludeDefinition(type, "patient", "Patient")],
    };
}
