using Chronicle.Contracts;
using Chronicle.Identity.Directory;
using Chronicle.Security;
using Microsoft.EntityFrameworkCore;

namespace Chronicle.Identity.Access;

/// <summary>
/// The legitimate-relationship rule, decided from Identity's own directory: a patient reaches their own record; a
/// supplier module reaches patients of practices that enabled it (whoever it acts for); staff reach patients registered
/// at their practice, or any patient by breaking glass. An unknown patient gets the same answer as an unrelated one.
/// </summary>
public sealed class PatientAccessPolicy(IdentityDbContext db)
{
    public async Task<PatientAccessOutcome> DecideAsync(Caller caller, string patientId, string? breakGlassReason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (PatientAccessRules.DecideLocally(caller, patientId) is { } local)
            return local;

        string? practice = null;
        if (Guid.TryParse(patientId, out var id))
        {
            practice = await db.Registrations.Where(r => r.PatientId == id).Select(r => r.PracticeOds)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        }

        if (caller.ClientId is { } clientId
            && await db.Modules.AnyAsync(m => m.ClientId == clientId, cancellationToken).ConfigureAwait(false))
        {
            var enabled = practice is not null && await db.ModuleEnablements
                .AnyAsync(e => e.ClientId == clientId && e.PracticeOds == practice, cancellationToken).ConfigureAwait(false);
            if (!enabled)
                return PatientAccessOutcome.Denied;
            if (!caller.IsStaff)
                return PatientAccessOutcome.Allowed;
        }

        if (!caller.IsStaff)
            return PatientAccessOutcome.Denied;
        if (practice is not null && practice == OdsCode.Normalise(caller.Organisation))
            return PatientAccessOutcome.Allowed;
        return string.IsNullOrWhiteSpace(breakGlassReason) ? PatientAccessOutcome.BreakGlassRequired : PatientAccessOutcome.AllowedByBreakGlass;
    }
}
