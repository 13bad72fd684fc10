using Chronicle.Fhir;
using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace Chronicle.Record.Fhir.Projection;

/// <summary>
/// One FHIR resource type the record is shown as: what the CapabilityStatement says of it (its search parameters) and
/// what the projection indexes for each of those parameters, declared together so they cannot drift apart.
/// </summary>
/// <param name="Index">Adds the resource's values for the type's own search parameters; <c>_id</c>, <c>patient</c> and
/// <c>_lastUpdated</c> are indexed for every type.</param>
public sealed record RecordResourceType(FhirResourceDefinition Definition, Action<Resource, SearchIndexWriter> Index)
{
    public string Type => Definition.Type;
}

/// <summary>
/// Every resource type the Record serves, in the order the CapabilityStatement lists them. A new kind of entry shown as
/// a new type adds one line here (see docs/adding-a-service.md, "Adding a kind of record entry"); the API, the
/// CapabilityStatement, the gateway's routes and the search index all follow from it.
/// </summary>
public static class RecordResourceTypes
{
    private static readonly SearchParameterDefinition Id = new("_id", SearchParamType.Token, "The logical id.");
    private static readonly SearchParameterDefinition LastUpdated = new("_lastUpdated", SearchParamType.Date,
        "When this version was recorded (meta.lastUpdated); prefixes eq, ne, gt, lt, ge, le; partial dates cover their whole span.");

    private static readonly SearchParameterDefinition PatientReference = new("patient", SearchParamType.Reference,
        "The patient the resource is about: 'Patient/{id}' or '{id}'.") { TargetType = "Patient" };

    /// <summary>Every Provenance of the patient's record, whatever it targets: Chronicle's meaning, not R4's (a target that is a Patient).</summary>
    private static readonly SearchParameterDefinition ProvenancePatient = PatientReference with
    {
        Documentation = "The patient whose record the event belongs to, whatever resource it produced: 'Patient/{id}' or '{id}'.",
        Definition = Chronicle.Fhir.Conformance.ChronicleDefinitions.ProvenancePatientSearch,
    };

    public static RecordResourceType Patient { get; } = new(new FhirResourceDefinition("Patient")
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
    }, (resource, index) =>
    {
        var p = (Patient)resource;
        foreach (var identifier in p.Identifier)
        {
            if (identifier.Value is { } value)
                index.Token("identifier", identifier.System ?? "", value);
        }

        if (p.Gender is { } gender)
            index.Token("gender", FhirSystems.AdministrativeGender, gender.GetLiteral());
        index.Date("birthdate", p.BirthDate);
        foreach (var name in p.Name)
        {
            foreach (var part in name.Prefix.Concat(name.Given).Append(name.Family).OfType<string>().Distinct(StringComparer.Ordinal))
                index.String("name", part);
        }
    });

    public static IReadOnlyList<RecordResourceType> All { get; } =
    [
        Patient,
        Clinical<Encounter>("Consultations (class AMB, VR or HH from the consultation mode).",
            [new("date", SearchParamType.Date, "The consultation period.")],
            (e, index) => index.Date("date", e.Period?.Start, e.Period?.End)),
        Clinical<Condition>("Problems (category problem-list-item, SNOMED CT codes).",
            [
                Code("The problem's SNOMED CT code."),
                new("clinical-status", SearchParamType.Token, "active | resolved (entered-in-error problems have none)."),
                new("onset-date", SearchParamType.Date, "When the problem began."),
            ],
            (c, index) =>
            {
                index.Codes("code", c.Code);
                index.Codes("clinical-status", c.ClinicalStatus);
                index.Date("onset-date", (c.Onset as FhirDateTime)?.Value);
            }),
        Clinical<Observation>("Measurements with UCUM quantities; blood pressure as systolic/diastolic components.",
            [
                Code("The observation's SNOMED CT code, or for a vital sign its LOINC code."),
                new("date", SearchParamType.Date, "When the observation was made (effective)."),
                new("category", SearchParamType.Token,
                    "The observation's category: 'vital-signs' (http://terminology.hl7.org/CodeSystem/observation-category) for the vital signs profiles' own."),
            ],
            (o, index) =>
            {
                index.Codes("code", o.Code);
                index.Date("date", (o.Effective as FhirDateTime)?.Value);
                foreach (var category in o.Category)
                    index.Codes("category", category);
            }),
        Clinical<AllergyIntolerance>("Allergies: substance, reaction, severity and criticality.",
            [
                Code("The substance's code."),
                new("clinical-status", SearchParamType.Token, "active (entered-in-error allergies have none)."),
                new("date", SearchParamType.Date, "When the allergy was recorded."),
            ],
            (a, index) =>
            {
                index.Codes("code", a.Code);
                index.Codes("clinical-status", a.ClinicalStatus);
                index.Date("date", a.RecordedDate);
            }),
        Clinical<MedicationStatement>("Medication taken, coded with dm+d (https://dmd.nhs.uk).",
            [Code("The dm+d code."), new("effective", SearchParamType.Date, "When the patient started taking it.")],
            (m, index) =>
            {
                index.Codes("code", m.Medication as CodeableConcept);
                index.Date("effective", (m.Effective as FhirDateTime)?.Value);
            }),
        Clinical<Immunization>("Immunisations given.",
            [new("vaccine-code", SearchParamType.Token, "The vaccine's code."), new("date", SearchParamType.Date, "When the vaccine was given.")],
            (i, index) =>
            {
                index.Codes("vaccine-code", i.VaccineCode);
                index.Date("date", (i.Occurrence as FhirDateTime)?.Value);
            }),
        Clinical<ServiceRequest>("Referrals (intent order).",
            [Code("The service referred to."), new("authored", SearchParamType.Date, "When the referral was made.")],
            (s, index) =>
            {
                index.Codes("code", s.Code);
                index.Date("authored", s.AuthoredOn);
            }),
        Clinical<DocumentReference>("Free-text consultation notes: plain text, type LOINC 11506-3 (progress note), linked to their Encounter.",
            [
                new("type", SearchParamType.Token, "The document type (http://loinc.org|11506-3)."),
                new("date", SearchParamType.Date, "When the note was written."),
            ],
            (d, index) =>
            {
                index.Codes("type", d.Type);
                index.Instant("date", d.Date);
            }),
        Clinical<FamilyMemberHistory>("Conditions of the patient's relatives: the relationship (HL7 v3 RoleCode), the SNOMED CT condition and the age it began at.",
            [], (_, _) => { }),
        Clinical<Procedure>("Procedures done to the patient (status completed): the SNOMED CT procedure and the date it was performed.",
            [Code("The procedure's SNOMED CT code."), new("date", SearchParamType.Date, "When it was performed.")],
            (p, index) =>
            {
                index.Codes("code", p.Code);
                index.Date("date", (p.Performed as FhirDateTime)?.Value);
            }),
        Clinical<Provenance>("One per recorded event: the resource version it produced, who (user, role, organisation, on behalf of, client), when and why.",
            [new("recorded", SearchParamType.Date, "When the event was recorded.")],
            (v, index) => index.Instant("recorded", v.Recorded)),
    ];

    public static RecordResourceType? Find(string type) => All.FirstOrDefault(t => string.Equals(t.Type, type, StringComparison.Ordinal));

    private static SearchParameterDefinition Code(string documentation) => new("code", SearchParamType.Token, documentation);

    /// <summary>A type of the patient's compartment: found by patient, _id and _lastUpdated, and able to _include its Patient.</summary>
    private static RecordResourceType Clinical<T>(string documentation, SearchParameterDefinition[] own, Action<T, SearchIndexWriter> index)
        where T : Resource
    {
        var type = ModelInfo.GetFhirTypeNameForType(typeof(T))!;
        return new RecordResourceType(new FhirResourceDefinition(type)
        {
            Documentation = documentation,
            SearchParameters = [Id, LastUpdated, type == "Provenance" ? ProvenancePatient : PatientReference, .. own],
            Includes = [new IncludeDefinition(type, "patient", "Patient")],
        }, (resource, writer) => index((T)resource, writer));
    }
}
