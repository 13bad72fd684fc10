using System.Globalization;
using System.Text;
using Chronicle.Auditing;
using Hl7.Fhir.Model;

namespace Chronicle.Audit.Fhir;

/// <summary>The code systems and identifier systems the Audit service's AuditEvents use.</summary>
public static class AuditFhirSystems
{
    public const string AuditEventType = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    public const string RestfulInteraction = "http://hl7.org/fhir/restful-interaction";
    public const string EntityType = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    public const string ObjectRole = "http://terminology.hl7.org/CodeSystem/object-role";
    public const string SecuritySourceType = "http://terminology.hl7.org/CodeSystem/security-source-type";
    public const string SecurityRoleType = "http://terminology.hl7.org/CodeSystem/extra-security-role-type";
    public const string Dicom = "http://dicom.nema.org/resources/ontology/DCM";
    public const string ParticipationType = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
    public const string RoleClass = "http://terminology.hl7.org/CodeSystem/v3-RoleClass";
    public const string ActReason = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    public const string OdsCode = "https://fhir.nhs.uk/Id/ods-organization-code";

    /// <summary>The requesting agent's policy (AuditEvent.agent.policy): the grounds on which they reached the record.</summary>
    public const string AccessGroundsPolicy = "urn:chronicle:access-grounds:";

    /// <summary>Chronicle's own action names (<see cref="AuditAction"/>), beside the FHIR interaction, in AuditEvent.subtype.</summary>
    public const string ChronicleAuditAction = "urn:chronicle:audit-action";

    public const string ChronicleUserId = "urn:chronicle:user-id";
    public const string ChronicleClientId = "urn:chronicle:client-id";
    public const string ChronicleService = "urn:chronicle:service";
    public const string CorrelationIdExtension = Chronicle.Fhir.Conformance.ChronicleDefinitions.CorrelationIdExtension;

    /// <summary>The entry's place in the hash chain, so an auditor can hand the verifier a range.</summary>
    public const string ChainSeqExtension = Chronicle.Fhir.Conformance.ChronicleDefinitions.AuditChainSeqExtension;
}

/// <summary>
/// An audit entry as a FHIR R4 AuditEvent (type rest; subtype the FHIR interaction and Chronicle's action name; action
/// C/R/U/E; outcome 0/4/8 from the HTTP status; the requesting user, their organisation, the person they acted for and
/// the client application as agents; the serving service as source; the patient and the resource or query as entities;
/// break-glass as purpose of use BTG with its reason). The codes are also what search matches on, so they are kept here.
/// </summary>
public static class AuditEventMapping
{
    private static readonly Dictionary<AuditAction, (string Interaction, AuditEvent.AuditEventAction Action)> Codes = new()
    {
        [AuditAction.Read] = ("read", AuditEvent.AuditEventAction.R),
        [AuditAction.VRead] = ("vread", AuditEvent.AuditEventAction.R),
        [AuditAction.History] = ("history-instance", AuditEvent.AuditEventAction.R),
        [AuditAction.Search] = ("search-type", AuditEvent.AuditEventAction.E),
        [AuditAction.Everything] = ("operation", AuditEvent.AuditEventAction.E),
        [AuditAction.Create] = ("create", AuditEvent.AuditEventAction.C),
        [AuditAction.Update] = ("update", AuditEvent.AuditEventAction.U),
        [AuditAction.EnteredInError] = ("update", AuditEvent.AuditEventAction.U),
        [AuditAction.Replay] = ("operation", AuditEvent.AuditEventAction.E),
        [AuditAction.Verify] = ("operation", AuditEvent.AuditEventAction.E),
        [AuditAction.Summary] = ("operation", AuditEvent.AuditEventAction.E),
    };

    public static string Interaction(AuditAction action) => Codes[action].Interaction;

    public static AuditEvent.AuditEventAction ActionCode(AuditAction action) => Codes[action].Action;

    /// <summary>The actions an AuditEvent.action code (C, R, U, D, E) stands for.</summary>
    public static IEnumerable<AuditAction> ActionsWithCode(string code) =>
        Codes.Where(c => c.Value.Action.ToString() == code).Select(c => c.Key);

    /// <summary>The actions a subtype code stands for: a FHIR interaction ("read", "operation") or a Chronicle action name.</summary>
    public static IEnumerable<AuditAction> ActionsWithSubtype(string code) =>
        Codes.Where(c => c.Value.Interaction == code || c.Key.ToString() == code).Select(c => c.Key);

    /// <summary>0 success, 4 minor failure (the caller's: 4xx), 8 serious failure (the server's: 5xx).</summary>
    public static AuditEvent.AuditEventOutcome Outcome(int status) => status switch
    {
        < 400 => AuditEvent.AuditEventOutcome.N0,
        < 500 => AuditEvent.AuditEventOutcome.N4,
        _ => AuditEvent.AuditEventOutcome.N8,
    };

    /// <summary>The HTTP statuses [low, high] an outcome code stands for; null for a code no entry can have.</summary>
    public static (int Low, int High)? StatusesWithOutcome(string code) => code switch
    {
        "0" => (0, 399),
        "4" => (400, 499),
        "8" => (500, 999),
        _ => null,
    };

    public static AuditEvent ToAuditEvent(long seq, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var (interaction, action) = Codes[entry.Action];
        var auditEvent = new AuditEvent
        {
            Id = entry.EntryId.ToString("D"),
            Meta = new Meta { VersionId = "1", LastUpdated = entry.OccurredAt },
            Type = new Coding(AuditFhirSystems.AuditEventType, "rest", "RESTful Operation"),
            Subtype =
            [
                new Coding(AuditFhirSystems.RestfulInteraction, interaction),
                new Coding(AuditFhirSystems.ChronicleAuditAction, entry.Action.ToString()),
            ],
            Action = action,
            Recorded = entry.OccurredAt,
            Outcome = Outcome(entry.Outcome),
            OutcomeDesc = string.Create(CultureInfo.InvariantCulture, $"HTTP {entry.Outcome}"),
            PurposeOfEvent = BreakGlass(entry),
            Agent = Agents(entry),
            Source = new AuditEvent.SourceComponent
            {
                Site = entry.Service,
                Observer = new ResourceReference
                {
                    Type = "Device",
                    Identifier = new Identifier(AuditFhirSystems.ChronicleService, entry.Service),
                    Display = $"Chronicle {entry.Service} service",
                },
                Type = [new Coding(AuditFhirSystems.SecuritySourceType, "4", "Application Server")],
            },
            Entity = Entities(entry),
        };
        auditEvent.Extension.Add(new Extension(AuditFhirSystems.ChainSeqExtension, new Integer(checked((int)seq))));
        if (entry.CorrelationId is { } correlation)
            auditEvent.Extension.Add(new Extension(AuditFhirSystems.CorrelationIdExtension, new FhirString(correlation)));
        auditEvent.Text = AuditEventNarrative.For(seq, entry);
        return auditEvent;
    }

    private static List<CodeableConcept> BreakGlass(AuditEntry entry) => entry.BreakGlass
        ? [new CodeableConcept(AuditFhirSystems.ActReason, "BTG", "break the glass", entry.BreakGlassReason)]
        : [];

    private static List<AuditEvent.AgentComponent> Agents(AuditEntry entry)
    {
        var client = entry.ClientId is { } clientId
            ? new ResourceReference { Type = "Device", Identifier = new Identifier(AuditFhirSystems.ChronicleClientId, clientId), Display = clientId }
            : null;
        var kind = KindOf(entry);
        var user = new AuditEvent.AgentComponent
        {
            Type = kind == Chronicle.Security.AgentKinds.System
                ? new CodeableConcept(AuditFhirSystems.Dicom, "110150", "Application")
                : new CodeableConcept(AuditFhirSystems.SecurityRoleType, "humanuser", "human user"),
            Role = entry.Role is { } role ? [new CodeableConcept { Text = role }] : [],
            Who = Requester(entry, kind) ?? client ?? new ResourceReference { Display = "Unidentified caller" },
            AltId = kind == Chronicle.Security.AgentKinds.System ? null : entry.UserId,
            Requestor = true,
            PurposeOfUse = BreakGlass(entry),
            Policy = entry.AccessGrounds is { } grounds ? [AuditFhirSystems.AccessGroundsPolicy + grounds] : [],
        };
        var agents = new List<AuditEvent.AgentComponent> { user };
        if (entry.OrganisationOds is { } ods)
            agents.Add(new AuditEvent.AgentComponent
            {
                Type = new CodeableConcept(AuditFhirSystems.RoleClass, "PROV", "healthcare provider"),
                Who = new ResourceReference { Type = "Organization", Identifier = new Identifier(AuditFhirSystems.OdsCode, ods), Display = ods },
                Requestor = false,
            });
        if (entry.OnBehalfOf is { } onBehalfOf)
            agents.Add(new AuditEvent.AgentComponent
            {
                Type = new CodeableConcept(AuditFhirSystems.ParticipationType, "RESP", "responsible party"),
                Who = new ResourceReference { Identifier = new Identifier(AuditFhirSystems.ChronicleUserId, onBehalfOf), Display = onBehalfOf },
                Requestor = false,
            });
        if (client is not null && kind != Chronicle.Security.AgentKinds.System && entry.UserId is not null)
            agents.Add(new AuditEvent.AgentComponent
            {
                Type = new CodeableConcept(AuditFhirSystems.Dicom, "110150", "Application"),
                Who = client,
                Requestor = false,
            });
        return agents;
    }

    /// <summary>
    /// The entry's agent kind; for an entry written before kinds were recorded, a caller whose user id is its client id
    /// (or who has none) is a system, anyone else staff, as the only callers then were.
    /// </summary>
    private static string KindOf(AuditEntry entry) => entry.AgentKind
        ?? (entry.UserId is null || entry.UserId == entry.ClientId ? Chronicle.Security.AgentKinds.System : Chronicle.Security.AgentKinds.Staff);

    /// <summary>
    /// The requesting person, typed by what they are (IHE Basic Audit Log Patterns): staff as Practitioner, a patient as
    /// Patient (their record, when they reached their own), a proxy as RelatedPerson. A system has no person: its client,
    /// a Device, is the requester.
    /// </summary>
    private static ResourceReference? Requester(AuditEntry entry, string kind)
    {
        if (entry.UserId is not { } userId || kind == Chronicle.Security.AgentKinds.System)
            return null;
        var type = kind switch
        {
            Chronicle.Security.AgentKinds.Patient => "Patient",
            Chronicle.Security.AgentKinds.RelatedPerson => "RelatedPerson",
            _ => "Practitioner",
        };
        var ownRecord = kind == Chronicle.Security.AgentKinds.Patient && entry.AccessGrounds == Chronicle.Security.AccessGrounds.PatientSelf
            && entry.PatientId is not null;
        return new ResourceReference
        {
            Reference = ownRecord ? $"Patient/{entry.PatientId}" : null,
            Type = type,
            Identifier = new Identifier(AuditFhirSystems.ChronicleUserId, userId),
            Display = userId,
        };
    }

    private static List<AuditEvent.EntityComponent> Entities(AuditEntry entry)
    {
        var entities = new List<AuditEvent.EntityComponent>();
        if (entry.PatientId is { } patientId)
            entities.Add(new AuditEvent.EntityComponent
            {
                What = new ResourceReference($"Patient/{patientId}"),
                Type = new Coding(AuditFhirSystems.EntityType, "1", "Person"),
                Role = new Coding(AuditFhirSystems.ObjectRole, "1", "Patient"),
            });

        var isFhirType = entry.ResourceType is { } type && ModelInfo.IsKnownResource(type);
        if (entry.ResourceType is not null && !(entry.ResourceType == "Patient" && entry.ResourceId == entry.PatientId && entry.Query is null))
        {
            var what = isFhirType && entry.ResourceId is { } id
                ? new ResourceReference($"{entry.ResourceType}/{id}")
                : new ResourceReference { Display = entry.ResourceId is { } rid ? $"{entry.ResourceType} {rid}" : entry.ResourceType };
            entities.Add(new AuditEvent.EntityComponent
            {
                What = what,
                Type = new Coding(AuditFhirSystems.EntityType, "2", "System Object"),
                Role = entry.Query is null ? new Coding(AuditFhirSystems.ObjectRole, "4", "Domain Resource") : new Coding(AuditFhirSystems.ObjectRole, "24", "Query"),
                Query = entry.Query is { } query ? Encoding.UTF8.GetBytes(query) : null,
            });
        }

        return entities;
    }
}
