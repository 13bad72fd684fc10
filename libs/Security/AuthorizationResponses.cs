using System.Net;
using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Grpc.Core;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Security;

/// <summary>
/// Answers refused requests in the caller's own protocol: gRPC calls get status UNAUTHENTICATED or PERMISSION_DENIED,
/// FHIR requests get 401 or 403 with an OperationOutcome, anything else the framework's plain 401 / 403.
/// </summary>
public sealed class ChronicleAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (authorizeResult.Succeeded)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var forbidden = authorizeResult.Forbidden && !authorizeResult.Challenged;
        var message = forbidden ? ForbiddenMessage(authorizeResult) : AccessRefusals.Unauthenticated;
        if (AccessRefusals.IsGrpc(context.Request))
        {
            AccessRefusals.WriteGrpcStatus(context.Response, forbidden ? StatusCode.PermissionDenied : StatusCode.Unauthenticated, message);
            return;
        }

        if (!AccessRefusals.IsFhir(context.Request))
        {
            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            return;
        }

        if (forbidden)
        {
            await AccessRefusals.WriteFhirOutcomeAsync(context, HttpStatusCode.Forbidden, message).ConfigureAwait(false);
            return;
        }

        // The scheme's challenge adds WWW-Authenticate (with the token error, when there was a token); the body is ours.
        if (policy.AuthenticationSchemes.Count > 0)
        {
            foreach (var scheme in policy.AuthenticationSchemes)
                await context.ChallengeAsync(scheme).ConfigureAwait(false);
        }
        else
        {
            await context.ChallengeAsync().ConfigureAwait(false);
        }

        await AccessRefusals.WriteFhirOutcomeAsync(context, HttpStatusCode.Unauthorized, message).ConfigureAwait(false);
    }

    private static string ForbiddenMessage(PolicyAuthorizationResult result) =>
        result.AuthorizationFailure?.FailureReasons.FirstOrDefault(r => r.Handler is FhirScopeHandler)?.Message
        ?? AccessRefusals.Forbidden;
}

/// <summary>How Chronicle says no: the sentences, and how they are written for gRPC and FHIR callers.</summary>
public static class AccessRefusals
{
    public const string Unauthenticated = "A valid access token issued by the Chronicle Identity service is required.";
    public const string Forbidden = "The access token does not allow this request.";
    public const string NoRelationship = "You are not allowed to access this patient's record.";
    public const string BreakGlassRequired =
        "You have no legitimate relationship with this patient's record. To open it anyway, state your reason in the "
        + BreakGlass.Header + " header; the access will be flagged and audited.";

    /// <summary>Requests under this path are FHIR interactions and get OperationOutcome bodies.</summary>
    public const string FhirPathPrefix = "/fhir";

    public static bool IsGrpc(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;
    }

    public static bool IsFhir(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.StartsWithSegments(FhirPathPrefix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A gRPC "trailers-only" response: the status travels in the headers and no message follows.</summary>
    public static void WriteGrpcStatus(HttpResponse response, StatusCode status, string message)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
    }

    public static async Task WriteFhirOutcomeAsync(HttpContext context, HttpStatusCode status, string message)
    {
        ArgumentNullException.ThrowIfNull(context);
        var issueType = status == HttpStatusCode.Unauthorized ? OperationOutcome.IssueType.Login : OperationOutcome.IssueType.Forbidden;
        await FhirResults.Outcome(new FhirException(status, issueType, message)).ExecuteAsync(context).ConfigureAwait(false);
    }

}
