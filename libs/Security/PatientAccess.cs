using System.Security.Claims;
using Chronicle.Contracts.Identity.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Chronicle.Security;

public enum PatientAccessOutcome
{
    /// <summary>A legitimate relationship exists.</summary>
    Allowed,
    /// <summary>Allowed because the caller broke glass: the access must be flagged and audited.</summary>
    AllowedByBreakGlass,
    /// <summary>No relationship; the caller may break glass by stating a reason.</summary>
    BreakGlassRequired,
    /// <summary>No relationship, and none can be claimed.</summary>
    Denied,
}

/// <summary>
/// Why a caller may reach a patient's record, under the rules of <see cref="PatientAccessRules"/> and Identity's Access
/// service: the grounds an auditor reads on the access's audit entry.
/// </summary>
public static class AccessGrounds
{
    /// <summary>A patient user reaching their own record.</summary>
    public const string PatientSelf = "patient-self";

    /// <summary>Staff reaching a patient registered at their own practice.</summary>
    public const string RegisteredPractice = "registered-practice";

    /// <summary>A supplier module reaching a patient of a practice that enabled it.</summary>
    public const string ModuleEnabledAtPractice = "module-enabled-at-practice";

    /// <summary>Staff reaching a record outside their practice by stating a reason.</summary>
    public const string BreakGlass = "break-glass";

    /// <summary>An auditor replaying or querying the record's history (read-only), under the auditor role.</summary>
    public const string Auditor = "auditor";

    /// <summary>The grounds of an allowed access; null when the access was not allowed.</summary>
    public static string? For(Caller caller, PatientAccessOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return outcome switch
        {
            PatientAccessOutcome.AllowedByBreakGlass => BreakGlass,
            PatientAccessOutcome.Allowed when caller.IsPatient => PatientSelf,
            PatientAccessOutcome.Allowed when caller.IsStaff => RegisteredPractice,
            PatientAccessOutcome.Allowed => ModuleEnabledAtPractice,
            _ => null,
        };
    }
}

/// <summary>Set on <see cref="Microsoft.AspNetCore.Http.HttpContext.Features"/> when a request was allowed to reach a patient's record, with the grounds.</summary>
public sealed class PatientAccessFeature(string patientId, string grounds)
{
    public string PatientId { get; } = patientId;
    public string Grounds { get; } = grounds;
}

/// <summary>A request to reach one patient's record: who asks (their validated token), and their break-glass reason, if any.</summary>
public sealed record PatientAccessRequest(ClaimsPrincipal User, string AccessToken, string PatientId, string? BreakGlassReason);

/// <summary>Answers whether the caller may reach a patient's record (the legitimate-relationship rule).</summary>
public interface IPatientAccessChecker
{
    ValueTask<PatientAccessOutcome> CheckAsync(PatientAccessRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// The rules every service applies: a patient user reaches only their own record, decided here from the token;
/// everyone else is decided by the Identity service (which holds practices, registrations and module enablements),
/// asked over gRPC with the caller's own token and its answer reused briefly, until Identity says it changed
/// (<see cref="AccessAnswerCache"/>).
/// </summary>
public sealed class IdentityPatientAccessChecker(
    Access.AccessClient client, AccessAnswerCache cache, IOptions<ChronicleSecurityOptions> options) : IPatientAccessChecker
{
    public async ValueTask<PatientAccessOutcome> CheckAsync(PatientAccessRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = Caller.From(request.User);
        if (PatientAccessRules.DecideLocally(caller, request.PatientId) is { } local)
            return local;

        var breakGlass = !string.IsNullOrWhiteSpace(request.BreakGlassReason);
        var key = (caller.Subject, caller.ClientId, caller.Role, caller.Organisation, request.PatientId, breakGlass);
        if (cache.TryGet(key, out var cached))
            return cached;
        var question = cache.Ask(key, request.PatientId, caller.ClientId);

        CheckPatientAccessReply reply;
        try
        {
            reply = await client.CheckPatientAccessAsync(
                new CheckPatientAccessRequest { PatientId = request.PatientId, BreakGlassReason = request.BreakGlassReason ?? "" },
                new Metadata { { "authorization", "Bearer " + request.AccessToken } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
        {
            // Identity no longer accepts a token this service accepted (e.g. its account was removed): no access.
            return PatientAccessOutcome.Denied;
        }

        var outcome = reply.Decision switch
        {
            AccessDecision.Allowed => PatientAccessOutcome.Allowed,
            AccessDecision.AllowedByBreakGlass => PatientAccessOutcome.AllowedByBreakGlass,
            AccessDecision.BreakGlassRequired => PatientAccessOutcome.BreakGlassRequired,
            _ => PatientAccessOutcome.Denied,
        };
        var lifetime = reply.CacheSeconds > 0 ? TimeSpan.FromSeconds(reply.CacheSeconds) : options.Value.AccessCacheDuration;
        cache.Store(question, outcome, lifetime);
        return outcome;
    }
}

public static class PatientAccessRules
{
    /// <summary>
    /// The part of the rule a service can decide from the token alone, or null when Identity must decide.
    /// A patient user reaches only their own record; a token whose only clinical scopes are <c>patient/</c> scopes
    /// reaches nothing without a patient context.
    /// </summary>
    public static PatientAccessOutcome? DecideLocally(Caller caller, string patientId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.IsPatient)
            return SamePatient(caller.PatientId!, patientId) ? PatientAccessOutcome.Allowed : PatientAccessOutcome.Denied;
        if (!caller.Scopes.Any(s => s.Context is ScopeContext.User or ScopeContext.System))
            return PatientAccessOutcome.Denied;
        return null;
    }

    public static bool SamePatient(string left, string right) =>
        Guid.TryParse(left, out var a) && Guid.TryParse(right, out var b)
            ? a == b
            : string.Equals(left, right, StringComparison.Ordinal);
}
