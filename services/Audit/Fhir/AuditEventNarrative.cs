using System.Globalization;
using Chronicle.Auditing;
using Chronicle.Fhir;
using Hl7.Fhir.Model;

namespace Chronicle.Audit.Fhir;

/// <summary>
/// An AuditEvent's generated narrative (<c>text</c>): who did what to which record, when, and how it ended, e.g.
/// "Read Observation/…, HTTP 200 (success), 1 Mar 2024 09:00:12 UTC". Written from the audit entry alone, so the same
/// entry always reads the same; every value is escaped by <see cref="FhirNarrative"/>.
/// </summary>
public static class AuditEventNarrative
{
    public static Narrative For(long seq, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var target = entry.ResourceType is null ? null
            : entry.ResourceId is { } id ? $"{entry.ResourceType}/{id}"
            : entry.ResourceType;
        if (entry.Query is { Length: > 0 } query)
            target = $"{target}?{query.TrimStart('?')}";
        var outcome = entry.Outcome switch { < 400 => "success", < 500 => "refused", _ => "server error" };
        var when = entry.OccurredAt.ToUniversalTime().ToString("d MMM yyyy HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";
        var who = entry.UserId ?? entry.ClientId;
        return new FhirNarrative(string.Create(CultureInfo.InvariantCulture,
                $"{entry.Action}{(target is null ? "" : " " + target)}, HTTP {entry.Outcome} ({outcome}), {when}"))
            .Detail("By", who is null ? "unidentified caller" : entry.Role is { } role ? $"{who} ({role})" : who)
            .Detail("Caller kind", entry.AgentKind)
            .Detail("Organisation", entry.OrganisationOds is { } ods ? $"ODS {ods}" : null)
            .Detail("On behalf of", entry.OnBehalfOf)
            .Detail("Client", entry.ClientId)
            .Detail("Patient", entry.PatientId is { } patient ? $"Patient/{patient}" : null)
            .Detail("Grounds", entry.AccessGrounds)
            .Detail("Break glass", entry.BreakGlass ? entry.BreakGlassReason ?? "no reason given" : null)
            .Detail("Service", entry.Service)
            .Detail("Audit chain entry", seq.ToString(CultureInfo.InvariantCulture))
            .ToNarrative();
    }
}
