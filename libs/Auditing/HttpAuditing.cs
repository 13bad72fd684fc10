using Chronicle.Security;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Chronicle.Auditing;

/// <summary>
/// What a handler knows that the URL does not: the patient a resource belongs to, and break-glass. Handlers set it
/// with <see cref="HttpAuditExtensions.AuditPatient"/>; the audit middleware reads it when the response starts.
/// </summary>
public sealed class AuditFeature
{
    public string? PatientId { get; set; }
    public bool BreakGlass { get; set; }
    public string? BreakGlassReason { get; set; }
    public string? AccessGrounds { get; set; }
}

/// <summary>What auditing writes into every entry of a service.</summary>
public sealed class AuditingOptions
{
    /// <summary>The service name written into every entry, e.g. "record".</summary>
    public string Service { get; set; } = "unknown";
}

public static class HttpAuditExtensions
{
    /// <summary>Tells the audit trail which patient this request touched.</summary>
    public static void AuditPatient(this HttpContext context, string? patientId)
    {
        ArgumentNullException.ThrowIfNull(context);
        GetOrAdd(context).PatientId ??= patientId;
    }

    /// <summary>Tells the audit trail on what grounds the caller was allowed to reach the patient's record.</summary>
    public static void AuditAccessGrounds(this HttpContext context, string grounds)
    {
        ArgumentNullException.ThrowIfNull(context);
        GetOrAdd(context).AccessGrounds = grounds;
    }

    public static void AuditBreakGlass(this HttpContext context, string reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        var feature = GetOrAdd(context);
        feature.BreakGlass = true;
        feature.BreakGlassReason = reason;
    }

    /// <summary>
    /// The entry for one request (HTTP or gRPC): who from <see cref="Caller"/> (the same reading as the event provenance
    /// and the access checks), what from the target, the patient from the handler; the grounds of access and break-glass
    /// from libs/Security's decision on the request, or from the handler.
    /// </summary>
    internal static AuditEntry BuildEntry(HttpContext context, string service, FhirAuditTarget target, AuditFeature feature, int status)
    {
        var caller = Caller.From(context);
        var access = context.GetPatientAccess();
        var breakGlass = context.GetBreakGlass();
        return new AuditEntry
        {
            EntryId = Guid.CreateVersion7(),
            OccurredAt = DateTimeOffset.UtcNow,
            Service = service,
            UserId = caller.Subject,
            Role = caller.Role,
            OrganisationOds = caller.Organisation,
            ClientId = caller.ClientId,
            OnBehalfOf = caller.OnBehalfOf,
            PatientId = feature.PatientId ?? access?.PatientId ?? target.PatientId,
            Action = target.Action,
            ResourceType = target.ResourceType,
            ResourceId = target.ResourceId,
            Query = context.Request.QueryString.HasValue ? context.Request.QueryString.Value : null,
            Outcome = status,
            CorrelationId = caller.CorrelationId ?? context.TraceIdentifier,
            BreakGlass = feature.BreakGlass || breakGlass is not null,
            BreakGlassReason = feature.BreakGlassReason ?? breakGlass?.Reason,
            AccessGrounds = feature.AccessGrounds ?? access?.Grounds,
            AgentKind = caller.AgentKind,
        };
    }

    internal static AuditFeature GetOrAdd(HttpContext context)
    {
        var feature = context.Features.Get<AuditFeature>();
        if (feature is null)
        {
            feature = new AuditFeature();
            context.Features.Set(feature);
        }

        return feature;
    }
}

/// <summary>
/// Audits every HTTP request whose endpoint declares an audit action, refusals and errors included; gRPC calls are the
/// interceptor's (<see cref="AuditGrpcInterceptor"/>), except those refused before it ran, which are audited here. It is
/// the outermost middleware (added by <see cref="AuditServiceCollectionExtensions.AddAuditing"/>), so nothing inside it
/// can answer unaudited; the endpoint is read when the response starts, after routing has chosen it. The entry is made
/// durable before a byte of the response is sent; if that fails, the request fails rather than go unaudited. A response
/// that never starts (the client went away) is audited when the request ends.
/// </summary>
internal sealed class AuditMiddleware(RequestDelegate next, IOptions<AuditingOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            context.Response.OnStarting(() => RecordGrpcRefusalAsync(context));
            await next(context).ConfigureAwait(false);
            return;
        }

        var feature = HttpAuditExtensions.GetOrAdd(context);
        var recorded = 0;
        Task RecordOnce(int status)
        {
            if (Interlocked.Exchange(ref recorded, 1) == 1 || TargetOf(context) is not { } target)
                return Task.CompletedTask;
            var trail = context.RequestServices.GetRequiredService<IAuditTrail>();
            return trail.RecordAsync(HttpAuditExtensions.BuildEntry(context, options.Value.Service, target, feature, status));
        }

        context.Response.OnStarting(() => RecordOnce(context.Response.StatusCode));
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            await RecordOnce(StatusCodes.Status500InternalServerError).ConfigureAwait(false);
            throw;
        }

        await RecordOnce(context.RequestAborted.IsCancellationRequested ? 499 : context.Response.StatusCode).ConfigureAwait(false);
    }

    /// <summary>What the request's endpoint declares it does to patient data; null when it touches none (or no endpoint answered).</summary>
    private static FhirAuditTarget? TargetOf(HttpContext context)
    {
        if (context.GetEndpoint() is not { } endpoint)
            return null;
        var request = context.Request;
        return AuditDeclarations.DeclarationOf(endpoint) switch
        {
            AuditedAsFhirInteractionMetadata =>
                FhirAuditClassifier.Classify(request.Method, request.RouteValues["path"] as string ?? "", request.Query),
            AuditedAttribute audited when endpoint.Metadata.GetMetadata<AuditTargetMetadata>() is { } custom => custom.TargetOf(request, audited.Action),
            AuditedAttribute audited => FhirAuditClassifier.FromRoute(audited.Action, audited.ResourceType, request),
            _ => null,
        };
    }

    /// <summary>
    /// A gRPC call refused before any interceptor ran (authentication and authorization answer with a trailers-only
    /// status), so a refusal is in the trail whichever layer refused it.
    /// </summary>
    private Task RecordGrpcRefusalAsync(HttpContext context)
    {
        if (context.Features.Get<GrpcCallAudited>() is not null
            || !int.TryParse(context.Response.Headers["grpc-status"].FirstOrDefault(), out var code) || code == 0
            || context.GetEndpoint() is not { } endpoint || AuditDeclarations.DeclarationOf(endpoint) is not AuditedAttribute audited)
            return Task.CompletedTask;
        context.Features.Set(GrpcCallAudited.Instance);
        var path = context.Request.Path.Value ?? "";
        var trail = context.RequestServices.GetRequiredService<IAuditTrail>();
        return trail.RecordAsync(GrpcAuditEntries.Build(context, options.Value.Service, path[(path.LastIndexOf('/') + 1)..], audited.Action, null,
            AuditGrpcInterceptor.HttpStatusOf((StatusCode)code)));
    }
}

/// <summary>What a request does to patient data: the action, the resource it names, and the patient it touches.</summary>
public sealed record FhirAuditTarget(AuditAction Action, string? ResourceType, string? ResourceId, string? PatientId);

/// <summary>Maps a FHIR REST request to what it does to patient data.</summary>
public static class FhirAuditClassifier
{
    /// <summary>A request under <paramref name="prefix"/>, classified by its path (see <see cref="Classify"/>); false outside it and for metadata.</summary>
    public static bool TryClassify(HttpRequest request, string prefix, out FhirAuditTarget target)
    {
        ArgumentNullException.ThrowIfNull(request);
        target = null!;
        if (!request.Path.StartsWithSegments(prefix, StringComparison.Ordinal, out var rest)
            || Classify(request.Method, rest.Value ?? "", request.Query) is not { } classified)
            return false;
        target = classified;
        return true;
    }

    /// <summary>
    /// The FHIR REST interaction a request asks for, from its method and its path below the FHIR base: read, vread,
    /// history, search (also by POST [type]/_search), $everything, or a write. Null for the base itself and for metadata.
    /// </summary>
    public static FhirAuditTarget? Classify(string method, string pathBelowBase, IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(pathBelowBase);
        ArgumentNullException.ThrowIfNull(query);
        var segments = pathBelowBase.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments[0] == "metadata")
            return null;

        var type = segments[0];
        // POST [type]/_search is a search (FHIR's search by form body), not a write.
        var searchByPost = segments is [_, "_search"] && HttpMethods.IsPost(method);
        var id = segments.Length > 1 ? IdOf(segments[1]) : null;
        var write = !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !searchByPost;
        var action = segments switch
        {
            _ when write => id is null ? AuditAction.Create : AuditAction.Update,
            [_, _, "$everything", ..] => AuditAction.Everything,
            [_, _, "$summary", ..] => AuditAction.Summary,
            [_, _, "_history", _, ..] => AuditAction.VRead,
            [_, _, "_history"] => AuditAction.History,
            [_, "_history", ..] => AuditAction.History,
            [_, "_search"] => AuditAction.Search,
            [_, _] => AuditAction.Read,
            _ => AuditAction.Search,
        };
        return Target(action, type, id, query);
    }

    /// <summary>
    /// An endpoint's declared action on what its route values name: the resource type (<c>{type}</c>, else
    /// <paramref name="resourceType"/>), the id (<c>{id}</c>, else <c>{patientId}</c>), and the patient (a Patient's id,
    /// <c>{patientId}</c>, or the patient a search names).
    /// </summary>
    public static FhirAuditTarget FromRoute(AuditAction action, string? resourceType, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.RouteValues;
        var type = values["type"] as string ?? resourceType;
        var patientId = values["patientId"] as string;
        var id = IdOf(values["id"] as string) ?? patientId;
        var target = Target(action, type, id, request.Query);
        return patientId is null ? target : target with { PatientId = patientId };
    }

    private static FhirAuditTarget Target(AuditAction action, string? type, string? id, IQueryCollection query)
    {
        var patient = type == "Patient" ? id : null;
        if (patient is null && action == AuditAction.Search && type is not null)
            patient = SearchedPatient(query, type);
        return new FhirAuditTarget(action, type, id, patient);
    }

    // Not ids: an operation ($everything on a type) and FHIR's reserved segments.
    private static string? IdOf(string? segment) =>
        segment is null || segment.StartsWith('$') || segment is "_history" or "_search" ? null : segment;

    private static string? SearchedPatient(IQueryCollection query, string type)
    {
        foreach (var name in type == "Patient" ? ["_id"] : new[] { "patient", "subject" })
        {
            if (query[name].FirstOrDefault() is { Length: > 0 } value)
                return value.StartsWith("Patient/", StringComparison.Ordinal) ? value["Patient/".Length..] : value;
        }

        return null;
    }
}
