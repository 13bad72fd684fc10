using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace Chronicle.Fhir.Conformance;

/// <summary>
/// Chronicle's own FHIR definitions: the extensions, search parameters and operations the platform adds to R4, each a
/// StructureDefinition, SearchParameter or OperationDefinition at an https canonical URL under <see cref="Base"/>.
/// Canonical URLs are identities, the same in every deployment, so a record moved to another system keeps meaning the
/// same; every deployment also serves each definition on its own FHIR base (<c>[base]/StructureDefinition/{id}</c>,
/// <c>[base]/SearchParameter/{id}</c>, <c>[base]/OperationDefinition/{id}</c>, or a search by <c>url</c>), so a client
/// resolves them from the server that used them. Defined here once, for every service and the gateway.
/// </summary>
public static class ChronicleDefinitions
{
    /// <summary>The canonical base of every Chronicle definition.</summary>
    public const string Base = "https://fhir.chronicle.health";

    /// <summary>The types the definitions are served as.</summary>
    public static IReadOnlyList<string> ResourceTypes { get; } = ["StructureDefinition", "SearchParameter", "OperationDefinition"];

    /// <summary>How every server serves them: read by id, and search by canonical URL or id. No token is needed.</summary>
    public static IReadOnlyList<FhirResourceDefinition> ResourceDefinitions { get; } = [.. ResourceTypes.Select(type => new FhirResourceDefinition(type)
    {
        Documentation = $"Chronicle's own {type}s (canonical base {Base}), which the platform's resources and this statement refer to. Public.",
        Interactions = [CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.SearchType],
        SearchParameters =
        [
            new Search.SearchParameterDefinition("_id", SearchParamType.Token, "The definition's id."),
            new Search.SearchParameterDefinition("url", SearchParamType.Uri, "The definition's canonical URL (a '|version' suffix is ignored)."),
        ],
    })];

    public const string CorrelationIdExtension = Base + "/StructureDefinition/correlation-id";
    public const string CausationIdExtension = Base + "/StructureDefinition/causation-id";
    public const string AuditChainSeqExtension = Base + "/StructureDefinition/audit-chain-seq";

    /// <summary>Provenance?patient: the patient whose record the event belongs to (R4's Provenance-patient means a target that is a Patient).</summary>
    public const string ProvenancePatientSearch = Base + "/SearchParameter/Provenance-patient";

    /// <summary>AuditEvent?organization: the ODS code of the organisation the requesting user acted for.</summary>
    public const string AuditEventOrganizationSearch = Base + "/SearchParameter/AuditEvent-organization";

    /// <summary>Patient/$everything as Chronicle serves it: R4's operation plus <c>_at</c>, the record as it stood at a moment.</summary>
    public const string PatientEverythingOperation = Base + "/OperationDefinition/Patient-everything";

    private static readonly DateOnly Published = new(2026, 12, 7);

    /// <summary>Every definition, each with its id (the last segment of its canonical URL).</summary>
    public static IReadOnlyList<Resource> All { get; } =
    [
        Extension("correlation-id", "Correlation id",
            "The id that ties together everything one request caused across services: the command, its events, their Provenance and the audit entries (the caller's x-correlation-id, or one the platform chose).",
            FHIRAllTypes.String, "Provenance", "AuditEvent"),
        Extension("causation-id", "Causation id",
            "The id of the command or message that caused the event this Provenance records.",
            FHIRAllTypes.String, "Provenance"),
        Extension("audit-chain-seq", "Audit chain sequence number",
            "The entry's place in the Audit service's hash chain (1 for the first entry), so an auditor can hand the verifier a range.",
            FHIRAllTypes.Integer, "AuditEvent"),
        SearchParameter("Provenance-patient", "patient", "Provenance", SearchParamType.Reference,
            "The patient whose record the event belongs to: every Provenance of their record, whatever resource it targets ('Patient/{id}' or '{id}'). " +
            "Unlike R4's Provenance-patient it matches a Provenance whose target is an Observation or any other entry of the record.",
            "Provenance.target", "Patient"),
        SearchParameter("AuditEvent-organization", "organization", "AuditEvent", SearchParamType.Token,
            "The ODS code of the organisation the requesting user acted for ('https://fhir.nhs.uk/Id/ods-organization-code|A81001' or 'A81001').",
            "AuditEvent.agent.who.where(type = 'Organization').identifier", null),
        PatientEverything(),
    ];

    /// <summary>The definition of type <paramref name="type"/> with id <paramref name="id"/>, if Chronicle has one.</summary>
    public static Resource? Find(string type, string id) =>
        All.FirstOrDefault(r => string.Equals(r.TypeName, type, StringComparison.Ordinal) && string.Equals(r.Id, id, StringComparison.Ordinal));

    /// <summary>The definition whose canonical URL is <paramref name="url"/> (a version after '|' is ignored), if Chronicle has one.</summary>
    public static IConformanceResource? ByUrl(string url)
    {
        var bare = url.Split('|', 2)[0];
        return All.OfType<IConformanceResource>().FirstOrDefault(r => string.Equals(r.Url, bare, StringComparison.Ordinal));
    }

    private static StructureDefinition Extension(string id, string title, string description, FHIRAllTypes valueType, params string[] contexts)
    {
        var url = $"{Base}/StructureDefinition/{id}";
        return new StructureDefinition
        {
            Id = id,
            Url = url,
            Version = "1.0.0",
            Name = string.Concat(title.Split(' ').Select(w => char.ToUpperInvariant(w[0]) + w[1..])),
            Title = title,
            Status = PublicationStatus.Active,
            Date = Date,
            Publisher = "Chronicle",
            Description = description,
            FhirVersion = FHIRVersion.N4_0_1,
            Kind = StructureDefinition.StructureDefinitionKind.ComplexType,
            Abstract = false,
            Context = contexts.Select(c => new StructureDefinition.ContextComponent { Type = StructureDefinition.ExtensionContextType.Element, Expression = c }).ToList(),
            Type = "Extension",
            BaseDefinition = "http://hl7.org/fhir/StructureDefinition/Extension",
            Derivation = StructureDefinition.TypeDerivationRule.Constraint,
            Differential = new StructureDefinition.DifferentialComponent
            {
                Element =
                [
                    new ElementDefinition("Extension") { ElementId = "Extension", Short = title, Definition = description, Max = "1" },
                    new ElementDefinition("Extension.extension") { ElementId = "Extension.extension", Max = "0" },
                    new ElementDefinition("Extension.url") { ElementId = "Extension.url", Fixed = new FhirUri(url) },
                    new ElementDefinition("Extension.value[x]")
                    {
                        ElementId = "Extension.value[x]",
                        Min = 1,
                        Type = [new ElementDefinition.TypeRefComponent { Code = valueType.GetLiteral() }],
                    },
                ],
            },
        };
    }

    private static SearchParameter SearchParameter(string id, string code, string resourceType, SearchParamType type, string description,
        string expression, string? target) => new()
    {
        Id = id,
        Url = $"{Base}/SearchParameter/{id}",
        Version = "1.0.0",
        Name = id.Replace("-", "", StringComparison.Ordinal),
        Status = PublicationStatus.Active,
        Date = Date,
        Publisher = "Chronicle",
        Description = description,
        Code = code,
        Base = [Enum.Parse<ResourceType>(resourceType)],
        Type = type,
        Expression = expression,
        XpathUsage = Hl7.Fhir.Model.SearchParameter.XPathUsageType.Normal,
        Target = target is null ? [] : [Enum.Parse<ResourceType>(target)],
    };

    private static OperationDefinition PatientEverything() => new()
    {
        Id = "Patient-everything",
        Url = PatientEverythingOperation,
        Version = "1.0.0",
        Name = "PatientEverything",
        Title = "Patient/$everything, with the record as it stood at a moment",
        Status = PublicationStatus.Active,
        Kind = OperationDefinition.OperationKind.Operation,
        Date = Date,
        Publisher = "Chronicle",
        Description = "R4's Patient/$everything (http://hl7.org/fhir/OperationDefinition/Patient-everything) on the longitudinal record: the patient and " +
            "every resource of their record, current versions, Provenance included; plus '_at', which returns the record exactly as it stood at " +
            "that moment, rebuilt from the event stream.",
        Code = "everything",
        Base = "http://hl7.org/fhir/OperationDefinition/Patient-everything",
        Resource = [ResourceType.Patient],
        System = false,
        Type = false,
        Instance = true,
        AffectsState = false,
        Parameter =
        [
            InParameter("start", FHIRAllTypes.Date, "Resources whose clinical date is on or after this date (R4)."),
            InParameter("end", FHIRAllTypes.Date, "Resources whose clinical date is on or before this date (R4)."),
            InParameter("_since", FHIRAllTypes.Instant, "Resources last updated at or after this instant (R4)."),
            InParameter("_type", FHIRAllTypes.Code, "Only these resource types, comma-separated (R4).", max: "*"),
            InParameter("_count", FHIRAllTypes.Integer, "Page size (R4)."),
            InParameter("_at", FHIRAllTypes.DateTime,
                "Chronicle: the record as it stood at this instant (a date means its end), rebuilt from the event stream; combinable with the others."),
            new OperationDefinition.ParameterComponent
            {
                Name = "return", Use = OperationParameterUse.Out, Min = 1, Max = "1", Type = FHIRAllTypes.Bundle,
                Documentation = "A searchset Bundle: the Patient first, then the record's resources, paged by '_count'.",
            },
        ],
    };

    private static OperationDefinition.ParameterComponent InParameter(string name, FHIRAllTypes type, string documentation, string max = "1") => new()
    {
        Name = name, Use = OperationParameterUse.In, Min = 0, Max = max, Type = type, Documentation = documentation,
    };

    private static string Date => Published.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
