using Chronicle.Fhir;
using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;

namespace Chronicle.Audit.Fhir;

/// <summary>The Audit service's FHIR surface: AuditEvent read and search. Requests are validated against it and the CapabilityStatement is built from it.</summary>
public static class AuditFhirDefinitions
{
    public static FhirResourceDefinition AuditEvent { get; } = new("AuditEvent")
    {
        Documentation = "Every access to patient data in every Chronicle service, refusals included, as chained in the tamper-evident audit log. " +
            "Read and search are for the auditor role only, and each use is itself audited. Results are in chain order (extension " +
            AuditFhirSystems.ChainSeqExtension + " carries the sequence number).",
        Interactions = [CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.SearchType],
        SearchParameters =
        [
            new SearchParameterDefinition("_id", SearchParamType.Token, "The entry id."),
            new SearchParameterDefinition("date", SearchParamType.Date, "When the access was answered (recorded); prefixes eq, ne, gt, lt, ge, le."),
            new SearchParameterDefinition("_lastUpdated", SearchParamType.Date,
                "meta.lastUpdated, which for an audit entry (never changed) is when the access was answered, as 'date'."),
            new SearchParameterDefinition("patient", SearchParamType.Reference, "The patient whose data was touched: 'Patient/{id}' or '{id}'.") { TargetType = "Patient" },
            new SearchParameterDefinition("agent", SearchParamType.Reference, "The requesting user, by Chronicle user id: 'Practitioner/{id}' or '{id}'.") { TargetType = "Practitioner" },
            new SearchParameterDefinition("agent-role", SearchParamType.Token, "The requesting user's role, e.g. 'GP' or 'auditor'."),
            new SearchParameterDefinition("entity", SearchParamType.Reference, "A resource the access named, '{Type}/{id}' (a patient matches every access to their data), or a bare id."),
            new SearchParameterDefinition("action", SearchParamType.Token, "C | R | U | D | E (http://hl7.org/fhir/audit-event-action)."),
            new SearchParameterDefinition("subtype", SearchParamType.Token,
                "A FHIR interaction (read, vread, history-instance, search-type, operation, create, update) or a Chronicle action (Everything, Summary, EnteredInError, Replay, Verify)."),
            new SearchParameterDefinition("outcome", SearchParamType.Token, "0 success | 4 refused or invalid (HTTP 4xx) | 8 server failure (HTTP 5xx)."),
            new SearchParameterDefinition("site", SearchParamType.Token, "The service that served the access, e.g. 'record'."),
            new SearchParameterDefinition("policy", SearchParamType.Uri,
                "The grounds on which the requester reached the record, as agent.policy: '" + AuditFhirSystems.AccessGroundsPolicy +
                "' followed by registered-practice, module-enabled-at-practice, patient-self, break-glass or auditor."),
            new SearchParameterDefinition("organization", SearchParamType.Token,
                "Chronicle: the ODS code of the organisation the user acted for ('https://fhir.nhs.uk/Id/ods-organization-code|A81001' or 'A81001').")
            {
                Definition = Chronicle.Fhir.Conformance.ChronicleDefinitions.AuditEventOrganizationSearch,
            },
        ],
    };

    public static FhirServerDescription Server(string softwareVersion) => new(
        Name: "ChronicleAudit",
        Title: "Chronicle Audit FHIR API",
        Description: "The platform's audit trail as FHIR R4 AuditEvents: who read, searched, wrote or was refused which patient's data, when, " +
            "from which service and organisation. Auditors only.",
        SoftwareName: "Chronicle Audit",
        SoftwareVersion: softwareVersion,
        PublishedOn: new DateOnly(2025, 1, 1),
        Resources: [AuditEvent]);
}
