using System.Net;
using Chronicle.Auditing;
using Chronicle.Fhir;
using Chronicle.Security;
using Grpc.Core;

namespace Chronicle.Record.Grpc;

/// <summary>
/// The Record's own access rules on top of libs/Security's interceptor (which checks tokens, scopes and, for requests
/// with a <c>patient_id</c>, the relationship). In a host without security (explicitly disabled) they do nothing.
/// </summary>
public static class RecordGrpcAccess
{
    /// <summary>Staff register patients only at their own practice: the token's <c>org</c> must be the request's practice.</summary>
    public static void RequireOwnPractice(ServerCallContext context, string practiceOds)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        if (!SecurityStartup.IsEnforced(http.RequestServices))
            return;
        var caller = Caller.From(http.User);
        if (!caller.IsStaff)
            throw new RpcException(new Status(StatusCode.PermissionDenied, "Only practice staff register patients, at their own practice."));
        if (!string.Equals(caller.Organisation, practiceOds?.Trim(), StringComparison.OrdinalIgnoreCase))
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"Staff register patients only at their own practice ({caller.Organisation}), not at '{practiceOds}'."));
    }

    /// <summary>
    /// Auditors (role <c>auditor</c>) replay any patient's record and history, read-only and audited; anyone else needs a
    /// legitimate relationship with the patient or breaks glass, as for every other request naming a patient.
    /// </summary>
    public static async Task RequirePatientOrAuditorAsync(ServerCallContext context, string patientId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        if (!SecurityStartup.IsEnforced(http.RequestServices) || !Domain.PatientId.TryParse(patientId, out _))
            return; // an empty or malformed id is refused by the request's own validation, and is not sent to Identity
        if (string.Equals(Caller.From(http.User).Role, StaffRoles.Auditor, StringComparison.Ordinal))
        {
            http.AuditPatient(patientId);
            http.AuditAccessGrounds(AccessGrounds.Auditor);
            return;
        }
        await http.RequirePatientAccessAsync(patientId).ConfigureAwait(false);
    }
}
