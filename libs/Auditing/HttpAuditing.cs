using Chronicle.Security;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

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

public sealed class HttpAuditOptions
{
    /// <summary>The service name written into every entry, e.g. "record".</summary>
    public string Service { get; set; } = "unknown";

    /// <summary>The FHIR base path; requests under it that touch patient data are audited.</summary>
    public string FhirPrefix { get; set; } = "/fhir";
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
    /// Audits every FHIR interaction that touches patient data (everything under the prefix but the
    /// CapabilityStatement), including refusals and errors, as <see cref="UseAuditing"/> does.
    /// </summary>
    public static IApplicationBuilder UseFhirAuditing(this IApplicationBuilder app, Action<HttpAuditOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new HttpAuditOptions();
        configure(options);
        return app.UseAuditing(options.Service,
            request => FhirAuditClassifier.TryClassify(request, options.FhirPrefix, out var target) ? target : null);
    }

    /// <summary>
    /// Audits every request <paramref name="classify"/> names a target for, including refusals and errors. The entry is
    /// made durable when the response starts, before a byte of it is sent; if that fails, the request fails rather than
    /// go unaudited. A response that never starts (the client went away) is audited when the request ends.
    /// </summary>
    public static IApplicationBuilder UseAuditing(this IApplicationBuilder app, string service, Func<HttpRequest, FhirAuditTarget?> classify)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(classify);
        return app.Use(async (context, next) =>
        {
            if (classify(context.Request) is not { } target)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var trail = context.RequestServices.GetRequiredService<IAuditTrail>();
            var feature = GetOrAdd(context);
            var recorded = 0;
            Task RecordOnce(int status)
            {
                if (Interlocked.Exchange(ref recorded, 1) == 1)
                    return Task.CompletedTask;
                return trail.RecordAsync(BuildEntry(context, service, target, feature, status));
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
        });
    }

    /// <summary>
    /// The entry for one request (HTTP or gRPC): who from the token or headers, what from the target, the patient from the
    /// handler; the grounds of access and break-glass from libs/Security's decision on the request, or from the handler.
    /// </summary>
    internal static AuditEntry BuildEntry(HttpContext context, string service, FhirAuditTarget target, AuditFeature feature, int status)
    {
        var caller = AuditCaller.From(context.User, context.Request.Headers);
        var access = context.GetPatientAccess();
        var breakGlass = context.GetBreakGlass();
        return new AuditEntry
        {
            EntryId = Guid.CreateVersion7(),
            OccurredAt = DateTimeOffset.UtcNow,
            Service = service,
            UserId = caller.UserId,
            Role = caller.Role,
            OrganisationOds = caller.OrganisationOds,
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
        };
    }

    private static AuditFeature GetOrAdd(HttpContext context)
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

/// <summary>Who is asking: from the validated token's claims when there is one, else from Chronicle's provenance headers.</summary>
public sealed record AuditCaller(string? UserId, string? Role, string? OrganisationOds, string? ClientId, string? OnBehalfOf, string? CorrelationId)
{
    public static AuditCaller From(ClaimsPrincipal? user, IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        string? Claim(string type) => user?.FindFirst(type)?.Value is { Length: > 0 } value ? value : null;
        string? Header(string name) => headers[name].FirstOrDefault() is { Length: > 0 } value ? value : null;
        return new AuditCaller(
            Claim("sub") ?? Header("x-user-id"),
            Claim("role") ?? Header("x-user-role"),
            Claim("org") ?? Header("x-organisation-ods"),
            Claim("client_id") ?? Claim("azp") ?? Header("x-client-id"),
            Claim("on_behalf_of") ?? Header("x-on-behalf-of"),
            Header("x-correlation-id"));
    }
}

/// <summary>What a request does to patient data: the action, the resource it names, and the patient it touches.</summary>
public sealed record FhirAuditTarget(AuditAction Action, string? ResourceType, string? ResourceId, string? PatientId);

/// <summary>Maps a FHIR REST request to what it does to patient data.</summary>
public static class FhirAuditClassifier
{
    public static bool TryClassify(HttpRequest request, string prefix, out FhirAuditTarget target)
    {
        ArgumentNullException.ThrowIfNull(request);
        target = null!;
        if (!request.Path.StartsWithSegments(prefix, StringComparison.Ordinal, out var rest))
            return false;
        var segments = (rest.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || segments[0] == "metadata")
            return false;

        var type = segments[0];
        // POST [type]/_search is a search (FHIR's search by form body), not a write.
        var searchByPost = segments is [_, "_search"] && HttpMethods.IsPost(request.Method);
        var id = segments.Length > 1 && !segments[1].StartsWith('$') && segments[1] is not ("_history" or "_search") ? segments[1] : null;
        var write = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !searchByPost;
        var action = segments switch
        {
            _ when write => id is null ? AuditAction.Create : AuditAction.Update,
            [_, _, "$everything", ..] => AuditAction.Everything,
            [_, _, "_history", _, ..] => AuditAction.VRead,
            [_, _, "_history"] => AuditAction.History,
            [_, "_history", ..] => AuditAction.History,
            [_, "_search"] => AuditAction.Search,
            [_, _] => AuditAction.Read,
            _ => AuditAction.Search,
        };
        var patient = type == "Patient" ? id : null;
        if (patient is null && action == AuditAction.Search)
            patient = SearchedPatient(request.Query, type);
        target = new FhirAuditTarget(action, type, id, patient);
        return true;
    }

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
