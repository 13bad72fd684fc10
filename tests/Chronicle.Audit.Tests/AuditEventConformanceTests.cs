using Chronicle.Audit.Fhir;
using Chronicle.Audit.Tests.Service;
using Chronicle.Auditing;
using Chronicle.Fhir.Conformance;
using Chronicle.Fhir.Tests;
using Hl7.Fhir.Model;

namespace Chronicle.Audit.Tests;

/// <summary>
/// Conformance: the AuditEvent of an entry of every action, outcome and kind of agent, validated with Firely's validator
/// against the R4 specification and Chronicle's published definitions: no error, no extension left unresolved.
/// </summary>
public sealed class AuditEventConformanceTests
{
    [Fact]
    public void GivenAnEntryOfEveryKind_WhenItsAuditEventIsValidated_ThenItHasNoProblemAndItsExtensionsAreChronicles()
    {
        var patient = Guid.NewGuid().ToString();
        var entries = Enum.GetValues<AuditAction>().Select(a => Entries.Read(patient) with { Action = a, AgentKind = "staff", AccessGrounds = "registered-practice" })
            .Concat(
            [
                Entries.Read(patient) with { BreakGlass = true, BreakGlassReason = "Unconscious in A&E", AccessGrounds = "break-glass" },
                Entries.Read(patient, outcome: 403),
                Entries.Read(patient, outcome: 500),
                Entries.Read(patient) with { Action = AuditAction.Search, ResourceType = "Observation", ResourceId = null, PatientId = null, Query = "?code=27113001" },
                Entries.Read(patient, userId: "pharmacy-module") with { ClientId = "pharmacy-module", Role = null, OrganisationOds = null, AgentKind = "system" },
                Entries.Read(patient, userId: "acc-1") with { Role = null, OrganisationOds = null, AgentKind = "patient", AccessGrounds = "patient-self" },
                Entries.Read(patient, userId: "acc-2") with { Role = null, OrganisationOds = null, AgentKind = "related-person", OnBehalfOf = patient },
                Entries.Read(patient) with { AgentKind = null, OnBehalfOf = "N1122334", CorrelationId = null },
            ]).ToList();

        var events = entries.Select((e, i) => AuditEventMapping.ToAuditEvent(i + 1, e)).ToList();
        var problems = events.SelectMany(e => ProfileValidator.Problems(e).Select(p => $"{e.Id} ({entries[events.IndexOf(e)].Action}): {p}")).ToList();

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.All(events, e => Assert.All(e.Extension, x => Assert.StartsWith(ChronicleDefinitions.Base + "/StructureDefinition/", x.Url, StringComparison.Ordinal)));
        Assert.Equal(3, ((Integer)events[2].GetExtension(ChronicleDefinitions.AuditChainSeqExtension).Value).Value);
    }
}
