using Microsoft.AspNetCore.Http;

namespace Chronicle.Security;

/// <summary>
/// Set on <see cref="HttpContext.Features"/> when a request reached a patient's record by breaking glass,
/// so the audit trail can flag the access with the stated reason.
/// </summary>
public sealed class BreakGlassFeature(string patientId, string reason)
{
    public string PatientId { get; } = patientId;
    public string Reason { get; } = reason;
}

public static class BreakGlass
{
    /// <summary>The request header (gRPC: metadata key) in which staff state why they break glass.</summary>
    public const string Header = "x-break-glass-reason";

    /// <summary>Reasons longer than this are refused rather than cut, so the audited reason is what the user wrote.</summary>
    public const int MaxReasonLength = 500;

    /// <summary>The break-glass access of this request, if it broke glass.</summary>
    public static BreakGlassFeature? GetBreakGlass(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<BreakGlassFeature>();
    }

    /// <summary>The grounds on which this request reached a patient's record, once it was allowed to.</summary>
    public static PatientAccessFeature? GetPatientAccess(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<PatientAccessFeature>();
    }

    internal static string? ReadReason(string? value)
    {
        var reason = value?.Trim();
        return string.IsNullOrEmpty(reason) ? null : reason;
    }
}
