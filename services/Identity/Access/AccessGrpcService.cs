using Chronicle.Auditing;
using Chronicle.Contracts.Identity.V1;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Chronicle.Identity.Access;

/// <summary>Answers other services' legitimate-relationship questions for the caller whose token they forward.</summary>
[Authorize]
public sealed class AccessGrpcService(PatientAccessPolicy policy, IOptions<IdentityServiceOptions> options) : Contracts.Identity.V1.Access.AccessBase
{
    // Every relationship answer tells which caller may reach which patient.
    [Audited(AuditAction.Read)]
    public override async Task<CheckPatientAccessReply> CheckPatientAccess(CheckPatientAccessRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrWhiteSpace(request.PatientId))
            throw new RpcException(new Status(StatusCode.InvalidArgument, "patient_id is required."));
        // The same rule as the services that forward the reason, so Identity never grants on a reason they would refuse.
        if (!BreakGlass.TryReadReason(request.BreakGlassReason, out var reason, out var problem))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"break_glass_reason {problem}."));
        var caller = Caller.From(context.GetHttpContext().User);
        var outcome = await policy.DecideAsync(caller, request.PatientId, reason, context.CancellationToken).ConfigureAwait(false);
        // The answer is in the entry as the grounds it gives: present when access is allowed, absent when it is not.
        if (AccessGrounds.For(caller, outcome) is { } grounds)
            context.GetHttpContext().AuditAccessGrounds(grounds);
        if (outcome == PatientAccessOutcome.AllowedByBreakGlass)
            context.GetHttpContext().AuditBreakGlass(reason!);
        return new CheckPatientAccessReply
        {
            Decision = outcome switch
            {
                PatientAccessOutcome.Allowed => AccessDecision.Allowed,
                PatientAccessOutcome.AllowedByBreakGlass => AccessDecision.AllowedByBreakGlass,
                PatientAccessOutcome.BreakGlassRequired => AccessDecision.BreakGlassRequired,
                _ => AccessDecision.Denied,
            },
            CacheSeconds = (int)options.Value.AccessAnswerLifetime.TotalSeconds,
        };
    }
}
