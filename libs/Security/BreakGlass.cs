using System.Diagnostics.CodeAnalysis;
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

    /// <summary>
    /// The one rule for a break-glass reason, applied where a service reads one and where Identity answers it, so the
    /// reason audited is the one that was judged: surrounding white space is dropped, a blank value is no reason (no
    /// break-glass), and a reason over <see cref="MaxReasonLength"/> characters or holding a control character (line
    /// breaks and NUL included; they would let a reason forge lines in whatever shows the audit) is refused, not cut.
    /// </summary>
    /// <param name="reason">The reason to audit, or null when none was given.</param>
    /// <param name="problem">When refused, what is wrong, to follow the name of the field, e.g. "is longer than 500 characters".</param>
    public static bool TryReadReason(string? value, out string? reason, [NotNullWhen(false)] out string? problem)
    {
        var trimmed = value?.Trim();
        reason = null;
        problem = null;
        if (string.IsNullOrEmpty(trimmed))
            return true;
        if (trimmed.Length > MaxReasonLength)
            problem = $"is longer than {MaxReasonLength} characters";
        else if (trimmed.Any(char.IsControl))
            problem = "contains a control character (a break-glass reason is one line of text)";
        else
            reason = trimmed;
        return problem is null;
    }
}
