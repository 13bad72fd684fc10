using Chronicle.Auditing;
using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Chronicle.Security;
using Microsoft.AspNetCore.Http;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Record.Fhir.Api;

/// <summary>
/// Who may read what through the Record's FHIR API. Authentication is the fallback policy of libs/Security (every
/// endpoint but /metadata and health needs a valid token); scopes and patient relationships are checked here because
/// the resource type is a route value and the patient is known only once a handler has looked. In a host that did not
/// register security (explicitly disabled, or an in-process test mapping the endpoints alone) only the audit part runs.
/// </summary>
internal static class RecordFhirAccess
{
    private const string CheckedPatientKey = "chronicle.record.checked-patient";

    /// <summary>The token permits <paramref name="access"/> on <paramref name="type"/>, else 403.</summary>
    public static void RequireScope(HttpContext context, string type, ScopeAccess access)
    {
        if (!SecurityStartup.IsEnforced(context.RequestServices))
            return;
        if (!Caller.From(context.User).HasScopeFor(type, access))
            throw AccessRefusedException.Forbidden($"This request needs {new RequireFhirScopeAttribute(type, access)}.");
    }

    /// <summary>
    /// Read, vread and history: the scope; and for a Patient resource (whose id is the patient's) the relationship,
    /// before the lookup, so an unknown patient and a forbidden one get the same answer.
    /// </summary>
    public static async Task BeforeLookupAsync(HttpContext context, string type, string id, ScopeAccess access)
    {
        RequireScope(context, type, access);
        if (type == RecordFhirDefinitions.Patient.Type)
            await RequirePatientAsync(context, id).ConfigureAwait(false);
    }

    /// <summary>The request touches this patient's record: audit it as theirs, and refuse (403) without a relationship or break-glass.</summary>
    public static async Task RequirePatientAsync(HttpContext context, string patientId)
    {
        context.AuditPatient(patientId);
        if (!SecurityStartup.IsEnforced(context.RequestServices)
            || (context.Items[CheckedPatientKey] is string done && string.Equals(done, patientId, StringComparison.Ordinal)))
            return;
        await context.RequirePatientAccessAsync(patientId).ConfigureAwait(false);
        context.Items[CheckedPatientKey] = patientId; // the audit entry takes the grounds and break-glass from libs/Security
    }

    /// <summary>
    /// Search: the scope (search on the type); and when the search names one patient (<c>patient</c>, or <c>_id</c> on
    /// Patient) that patient's relationship, as a read would. Returns whether results must be filtered
    /// (a search naming no patient returns only patients, or resources of patients, the caller has a relationship with:
    /// <see cref="ReachableSearch"/>).
    /// </summary>
    public static async Task<bool> BeforeSearchAsync(HttpContext context, FhirSearchParameters parameters, string type)
    {
        RequireScope(context, type, ScopeAccess.Search);
        var parameter = type == RecordFhirDefinitions.Patient.Type ? "_id" : "patient";
        var values = parameters[parameter];
        if (values.Count == 0)
            return SecurityStartup.IsEnforced(context.RequestServices);
        if (values.Count > 1 || values[0] is not { Length: > 0 } value || value.Contains(',', StringComparison.Ordinal))
        {
            if (SecurityStartup.IsEnforced(context.RequestServices))
                throw FhirException.BadRequest($"Name one patient in '{parameter}' (access is checked per patient); search for each patient separately.");
            return false;
        }

        var patientId = value.StartsWith("Patient/", StringComparison.Ordinal) ? value["Patient/".Length..] : value;
        await RequirePatientAsync(context, patientId).ConfigureAwait(false);
        return false;
    }
}
