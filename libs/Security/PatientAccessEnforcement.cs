using Chronicle.Fhir;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Chronicle.Security;

public static class PatientAccessHttpExtensions
{
    /// <summary>
    /// For FHIR handlers, once they know which patient a request reaches: returns when the caller may reach the record
    /// (setting <see cref="BreakGlassFeature"/> when they broke glass), else throws an <see cref="AccessRefusedException"/>
    /// (forbidden; invalid request for a malformed break-glass reason) whose message is the same whether or not the
    /// patient exists.
    /// </summary>
    public static async Task RequirePatientAccessAsync(this HttpContext context, string patientId)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!BreakGlass.TryReadReason(context.Request.Headers[BreakGlass.Header], out var reason, out var problem))
            throw new AccessRefusedException(AccessRefusalKind.InvalidRequest, $"The {BreakGlass.Header} header {problem}.");
        if (await PatientAccessEnforcement.EnforceAsync(context, patientId, reason).ConfigureAwait(false) is { } refusal)
            throw AccessRefusedException.Forbidden(refusal);
    }

    /// <summary>
    /// Whether the caller may reach the patient's record through a legitimate relationship (break-glass is not
    /// considered): for filtering search results that name no patient, where nothing is refused, only left out.
    /// </summary>
    public static ValueTask<bool> CanReachPatientAsync(this HttpContext context, string patientId)
    {
        ArgumentNullException.ThrowIfNull(context);
        return PatientAccessEnforcement.CanReachAsync(context, patientId);
    }

    /// <summary>
    /// Whether a resource of <paramref name="resourceType"/> in <paramref name="patientId"/>'s record may go into a response
    /// that carries more than one resource (an <c>_include</c>d resource, say), by the checks a direct read of it makes: a
    /// scope that permits read on its type, and a relationship with its patient, or this request's own allowed access to
    /// that patient (which may be a break-glass access the request already stated and had audited). Nothing is refused;
    /// a resource that fails is left out. In a host without security everything passes, as direct reads do there.
    /// </summary>
    public static async ValueTask<bool> MayReadResourceAsync(this HttpContext context, string resourceType, string patientId)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!SecurityStartup.IsEnforced(context.RequestServices))
            return true;
        if (!Caller.From(context.User).HasScopeFor(resourceType, ScopeAccess.Read))
            return false;
        if (context.Features.Get<PatientAccessFeature>() is { } allowed && PatientAccessRules.SamePatient(allowed.PatientId, patientId))
            return true;
        return await PatientAccessEnforcement.CanReachAsync(context, patientId).ConfigureAwait(false);
    }
}

internal static class PatientAccessEnforcement
{
    /// <summary>Whether the caller has a legitimate relationship with the patient (no break-glass), without refusing.</summary>
    public static async ValueTask<bool> CanReachAsync(HttpContext context, string patientId) =>
        await CheckAsync(context, patientId, null).ConfigureAwait(false) == PatientAccessOutcome.Allowed;

    /// <summary>Null when the caller may reach the patient (flagging a break-glass access on the request), else why not.</summary>
    public static async ValueTask<string?> EnforceAsync(HttpContext context, string patientId, string? breakGlassReason)
    {
        var outcome = await CheckAsync(context, patientId, breakGlassReason).ConfigureAwait(false);
        if (AccessGrounds.For(Caller.From(context.User), outcome) is { } grounds)
            context.Features.Set(new PatientAccessFeature(patientId, grounds));
        switch (outcome)
        {
            case PatientAccessOutcome.Allowed:
                return null;
            case PatientAccessOutcome.AllowedByBreakGlass:
                context.Features.Set(new BreakGlassFeature(patientId, breakGlassReason!));
                return null;
            case PatientAccessOutcome.BreakGlassRequired:
                return AccessRefusals.BreakGlassRequired;
            default:
                return AccessRefusals.NoRelationship;
        }
    }

    private static async ValueTask<PatientAccessOutcome> CheckAsync(HttpContext context, string patientId, string? breakGlassReason)
    {
        var token = BearerToken(context.Request);
        if (context.User.Identity?.IsAuthenticated != true || token is null)
            return PatientAccessOutcome.Denied;
        var checker = context.RequestServices.GetRequiredService<IPatientAccessChecker>();
        return await checker.CheckAsync(new PatientAccessRequest(context.User, token, patientId, breakGlassReason), context.RequestAborted)
            .ConfigureAwait(false);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && header.Length > prefix.Length
            ? header[prefix.Length..].Trim()
            : null;
    }
}

/// <summary>
/// Enforces Chronicle's rules on every gRPC method: the caller is authenticated, the method declares the scope it
/// needs (<see cref="RequireFhirScopeAttribute"/>; a method that declares none is refused, so nothing is open by
/// omission), and when the request names a patient (a string field <c>patient_id</c>) the caller has a legitimate
/// relationship with that patient or breaks glass (metadata <c>x-break-glass-reason</c>).
/// </summary>
public sealed class ChronicleSecurityInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        await EnforceAsync(request, context).ConfigureAwait(false);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        await EnforceAsync(request, context).ConfigureAwait(false);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        await EnforceAsync<object?>(null, context).ConfigureAwait(false);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        await EnforceAsync<object?>(null, context).ConfigureAwait(false);
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }

    private static async Task EnforceAsync<TRequest>(TRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        var metadata = http.GetEndpoint()?.Metadata;
        // Marked anonymous on purpose (e.g. Dapr's app callback): nothing to enforce, even when registered for every service.
        if (metadata?.GetMetadata<IAllowAnonymous>() is not null)
            return;
        if (http.User.Identity?.IsAuthenticated != true)
            throw new AccessRefusedException(AccessRefusalKind.Unauthenticated, AccessRefusals.Unauthenticated);

        var scopes = metadata?.GetOrderedMetadata<RequireFhirScopeAttribute>() ?? [];
        if (scopes.Count == 0)
            throw AccessRefusedException.Forbidden("This method declares no scope, so no token may call it.");
        var caller = Caller.From(http.User);
        var missing = scopes.FirstOrDefault(s => !caller.HasScopeFor(s.ResourceType, s.Access));
        if (missing is not null)
            throw AccessRefusedException.Forbidden($"This request needs {missing}.");

        if (metadata!.GetMetadata<NoPatientRelationshipCheckAttribute>() is not null || PatientIdOf(request) is not { } patientId)
            return;

        if (!BreakGlass.TryReadReason(context.RequestHeaders.GetValue(BreakGlass.Header), out var reason, out var problem))
            throw new AccessRefusedException(AccessRefusalKind.InvalidRequest, $"The {BreakGlass.Header} metadata {problem}.");
        if (await PatientAccessEnforcement.EnforceAsync(http, patientId, reason).ConfigureAwait(false) is { } refusal)
            throw AccessRefusedException.Forbidden(refusal);
    }

    /// <summary>The request's <c>patient_id</c> string field, when it has one and it is set.</summary>
    private static string? PatientIdOf<TRequest>(TRequest request) =>
        request is IMessage message
        && message.Descriptor.FindFieldByName("patient_id") is { FieldType: FieldType.String, IsRepeated: false } field
        && field.Accessor.GetValue(message) is string { Length: > 0 } id
            ? id
            : null;
}
