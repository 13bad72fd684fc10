using Chronicle.Security;

namespace Chronicle.Testing;

/// <summary>
/// Stands in for Identity's answer to "may this caller reach this patient?" (an override of the
/// <see cref="IPatientAccessChecker"/> a composed service would ask Identity with): the patients in the set, and no others.
/// </summary>
public sealed class ReachablePatients(IReadOnlySet<string> reachable) : IPatientAccessChecker
{
    public ValueTask<PatientAccessOutcome> CheckAsync(PatientAccessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ValueTask.FromResult(reachable.Contains(request.PatientId) ? PatientAccessOutcome.Allowed : PatientAccessOutcome.Denied);
    }
}

/// <summary>Every patient is reachable by every caller whose token has the scope: for tests about something other than relationships.</summary>
public sealed class EveryPatientReachable : IPatientAccessChecker
{
    public ValueTask<PatientAccessOutcome> CheckAsync(PatientAccessRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(PatientAccessOutcome.Allowed);
}
