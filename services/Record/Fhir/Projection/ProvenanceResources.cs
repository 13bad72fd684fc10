using Hl7.Fhir.Model;
using static Chronicle.Record.Domain.RecordEventsV1;
using Chronicle.Record.Application;

namespace Chronicle.Record.Fhir.Projection;

/// <summary>
/// One Provenance per event (its id is the event id): the exact resource version it produced, when it was recorded,
/// who acted in which role, for which organisation or person, through which client, and why.
/// </summary>
internal static class ProvenanceResources
{
    public static Provenance For(RecordEvent change, ResourceVersion target)
    {
        var metadata = change.Recorded.Metadata;
        var provenance = new Provenance
        {
            Id = FhirValues.Id(change.Recorded.EventId),
            Target = [new ResourceReference($"{target.Type}/{target.Id}/_history/{target.VersionId.ToString(System.Globalization.CultureInfo.InvariantCulture)}")],
            Recorded = change.Recorded.RecordedAt.ToUniversalTime(),
            Activity = Activity(change.Event, target),
            Reason = Reasons(change.Event, metadata).Select(FhirValues.Text).ToList(),
            Agent = Agents(metadata),
        };
        AddIdExtension(provenance, FhirSystems.CorrelationIdExtension, metadata.CorrelationId);
        AddIdExtension(provenance, FhirSystems.CausationIdExtension, metadata.CausationId);
        return provenance;
    }

    /// <summary>Why the command was sent, and for a correction the reason the entry was marked entered in error.</summary>
    private static IEnumerable<string> Reasons(object @event, EventStore.EventMetadata metadata)
    {
        if (metadata.Reason is { } reason)
            yield return reason;
        if (@event is EntryMarkedEnteredInError { Reason: { } correction } && correction != metadata.Reason)
            yield return correction;
    }

    private static CodeableConcept Activity(object @event, ResourceVersion target) => @event switch
    {
        EntryMarkedEnteredInError => FhirValues.Concept(FhirSystems.DataOperation, "NULLIFY", "nullify"),
        _ when target.VersionId == 1 => FhirValues.Concept(FhirSystems.DataOperation, "CREATE", "create"),
        _ => FhirValues.Concept(FhirSystems.DataOperation, "UPDATE", "revise"),
    };

    private static List<Provenance.AgentComponent> Agents(EventStore.EventMetadata metadata)
    {
        var organisation = metadata.OrganisationOds is { } ods ? FhirValues.OrganisationByOds(ods) : null;
        var onBehalfOfPerson = metadata.OnBehalfOf is { } person ? FhirValues.User(person) : null;
        var client = metadata.ClientId is { } clientId
            ? new ResourceReference { Type = "Device", Identifier = new Identifier(FhirSystems.ChronicleClientId, clientId), Display = clientId }
            : null;

        var author = new Provenance.AgentComponent
        {
            Type = ParticipantType("author", "Author"),
            Role = metadata.Role is { } role ? [FhirValues.Text(role)] : [],
            Who = metadata.UserId is { } userId ? FhirValues.User(userId) : client ?? new ResourceReference { Display = "Unknown agent" },
            OnBehalfOf = onBehalfOfPerson ?? organisation,
        };
        var agents = new List<Provenance.AgentComponent> { author };

        // The acting organisation is named on its own when the author acted for a person rather than for it.
        if (onBehalfOfPerson is not null && organisation is not null)
            agents.Add(new Provenance.AgentComponent { Who = organisation });
        if (client is not null && metadata.UserId is not null)
            agents.Add(new Provenance.AgentComponent { Type = ParticipantType("assembler", "Assembler"), Who = client });
        return agents;
    }

    private static CodeableConcept ParticipantType(string code, string display) =>
        FhirValues.Concept(FhirSystems.ProvenanceParticipantType, code, display);

    private static void AddIdExtension(Provenance provenance, string url, string? value)
    {
        if (value is not null)
            provenance.Extension.Add(new Extension(url, new FhirString(value)));
    }
}
