using System.Globalization;
using System.Net;
using Chronicle.Audit.Api;
using Chronicle.Audit.Queries;
using Chronicle.Auditing;
using Chronicle.Contracts;
using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Chronicle.Fhir.Search;
using Chronicle.Security;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chronicle.Audit.Fhir;

/// <summary>FHIR R4 AuditEvent read and search over the query tables; errors as OperationOutcomes.</summary>
public sealed class AuditFhirApi(AuditQueryReadModel queries)
{
    public const string RoutePrefix = "/fhir";
    private static readonly SearchPaging Paging = new(DefaultCount: 50, MaxCount: 500);

    private readonly FhirServerDescription _server =
        AuditFhirDefinitions.Server(typeof(AuditFhirApi).Assembly.GetName().Version?.ToString() ?? "0.0.0") with { Paging = Paging };

    public async Task<IResult> MetadataAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return FhirResults.Resource(CapabilityStatements.Build(_server, BaseUrl(request),
            await Chronicle.Fhir.Conformance.SmartConfiguration.ForRequestAsync(request.HttpContext).ConfigureAwait(false)));
    }

    public async Task<IResult> ReadAsync(HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Guid.TryParseExact(id, "D", out var entryId))
            throw FhirException.NotFound($"AuditEvent/{id} is not known: AuditEvent ids are entry ids (UUIDs).");
        var found = await queries.ReadAsync(entryId, request.HttpContext.RequestAborted).ConfigureAwait(false)
            ?? throw FhirException.NotFound($"AuditEvent/{id} is not known.");
        request.HttpContext.AuditPatient(found.Entry.PatientId);
        return FhirResults.ResourceOrNotModified(request, AuditEventMapping.ToAuditEvent(found.Seq, found.Entry));
    }

    public async Task<IResult> SearchAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = await FhirSearchParameters.ReadAsync(request).ConfigureAwait(false);
        var typeUrl = $"{BaseUrl(request)}/{AuditFhirDefinitions.AuditEvent.Type}";
        var (search, page, next, total) = await AuditSearch.RunAsync(queries, request, parameters, typeUrl, Paging).ConfigureAwait(false);
        return FhirResults.Resource(FhirBundles.SearchSet(BaseUrl(request), search, page.Select(e => AuditEventMapping.ToAuditEvent(e.Seq, e.Entry)), [],
            total, FhirSearchParameters.Url(typeUrl, search.Kept), next));
    }

    private static string BaseUrl(HttpRequest request) => FhirRequestUrls.BaseUrl(request, RoutePrefix);
}

/// <summary>A search of the audit log from a request's query: the same parameters for the FHIR API and the JSON API.</summary>
internal static class AuditSearch
{
    /// <param name="pageUrl">The URL the next link repeats the search on, with the parameters it honours as a query string.</param>
    /// <returns>The search as parsed, one page of it (none for <c>_count=0</c> or <c>_summary=count</c>), its next link, and its total (0 when not asked for).</returns>
    public static async Task<(SearchRequest Search, IReadOnlyList<ChainedAuditEntry> Page, Uri? Next, int Total)> RunAsync(AuditQueryReadModel queries,
        HttpRequest request, FhirSearchParameters parameters, string pageUrl, SearchPaging paging)
    {
        var search = SearchRequestParser.Parse(AuditFhirDefinitions.AuditEvent, parameters.Pairs, paging, FhirPreferences.Handling(request));
        AuditPosition? after = search.Cursor is null ? null : AuditSearchPosition.FromCursor(search.Cursor, search);
        var cancellationToken = request.HttpContext.RequestAborted;
        IReadOnlyList<ChainedAuditEntry> page = [];
        Uri? next = null;
        if (search.WantsEntries)
        {
            var rows = await queries.SearchAsync(search.Criteria, search.Sort.Count > 0, search.Sort.FirstOrDefault()?.Descending == true, after,
                search.Count + 1, cancellationToken).ConfigureAwait(false);
            page = rows.Take(search.Count).ToList();
            next = rows.Count > search.Count
                ? FhirSearchParameters.Url(pageUrl, search.Kept, SearchRequestParser.CursorParameter, AuditSearchPosition.ToCursor(page[^1], search))
                : null;
        }

        var total = search.WantsTotal ? await queries.CountAsync(search.Criteria, cancellationToken).ConfigureAwait(false) : 0;
        return (search, page, next, checked((int)total));
    }
}

/// <summary>
/// A next link's cursor over the audit log: the last entry's sequence number, and when the search is sorted (by date or
/// _lastUpdated, which are both the entry's time) that time first. Keyset paging, so pages do not shift as entries arrive.
/// </summary>
internal static class AuditSearchPosition
{
    public static string ToCursor(ChainedAuditEntry last, SearchRequest search) => search.Sort.Count == 0
        ? PageCursor.Encode(last.Seq.ToString(CultureInfo.InvariantCulture))
        : PageCursor.Encode(search.SortSignature, FhirDateRange.ToMicros(last.Entry.OccurredAt).ToString(CultureInfo.InvariantCulture),
            last.Seq.ToString(CultureInfo.InvariantCulture));

    public static AuditPosition FromCursor(string cursor, SearchRequest search)
    {
        if (search.Sort.Count == 0)
            return new AuditPosition(null, Number(PageCursor.Decode(cursor, 1)[0]));
        var parts = PageCursor.Decode(cursor, 3);
        if (parts[0] != search.SortSignature)
            throw FhirException.BadRequest($"This '_cursor' pages a search sorted by '{parts[0]}', not by '{search.SortSignature}'; follow the 'next' link as given.");
        return new AuditPosition(Number(parts[1]), Number(parts[2]));
    }

    private static long Number(string part) =>
        long.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw FhirException.BadRequest("'_cursor' is not a cursor this server issued; follow the 'next' link as given.");
}

public static class AuditFhirEndpoints
{
    /// <summary>
    /// <c>/fhir/metadata</c> for anyone; <c>/fhir/AuditEvent</c> (search) and <c>/fhir/AuditEvent/{id}</c> (read) for auditors.
    /// Search also by POST AuditEvent/_search; HEAD wherever GET. Anything else under the prefix answers 404 (405 with an Allow
    /// header for writes: the audit trail is append-only, and only by delivery).
    /// </summary>
    public static RouteGroupBuilder MapAuditFhir(this IEndpointRouteBuilder endpoints)
    {
        var fhir = endpoints.MapGroup(AuditFhirApi.RoutePrefix);
        fhir.AddEndpointFilter<FhirEndpointFilter>();
        fhir.MapFhirRead("/metadata", (AuditFhirApi api, HttpRequest request) => api.MetadataAsync(request)).AllowAnonymous()
            .NoPatientData("The CapabilityStatement describes the server, not any patient.");
        fhir.MapFhirConformance(AuditFhirApi.RoutePrefix).AllowAnonymous()
            .NoPatientData("Chronicle's definitions and the SMART configuration describe the API, not any patient.");

        var auditEvents = fhir.MapGroup("/AuditEvent");
        auditEvents.MapFhirRead("", (AuditFhirApi api, HttpRequest request) => api.SearchAsync(request)).RequireFhirScope("AuditEvent", ScopeAccess.Search)
            .Audited(AuditAction.Search, AuditFhirDefinitions.AuditEvent.Type);
        auditEvents.MapFhirSearchPost("/" + FhirRoutes.SearchSegment, (AuditFhirApi api, HttpRequest request) => api.SearchAsync(request))
            .RequireFhirScope("AuditEvent", ScopeAccess.Search).Audited(AuditAction.Search, AuditFhirDefinitions.AuditEvent.Type);
        auditEvents.MapFhirRead("/{id}", (AuditFhirApi api, HttpRequest request, string id) => api.ReadAsync(request, id)).RequireFhirScope("AuditEvent", ScopeAccess.Read)
            .Audited(AuditAction.Read, AuditFhirDefinitions.AuditEvent.Type);
        auditEvents.AddEndpointFilter(async (context, next) => AuditorAccess.Check(context.HttpContext) is { } refusal
            ? FhirResults.Outcome(new FhirException((HttpStatusCode)refusal.Status,
                refusal.Status == StatusCodes.Status401Unauthorized ? OperationOutcome.IssueType.Login : OperationOutcome.IssueType.Forbidden, refusal.Reason))
            : await next(context).ConfigureAwait(false));

        fhir.MapFhirFallback(path => $"There is no FHIR endpoint at '{path}'; this server serves AuditEvent only.",
            "The audit trail is append-only: entries arrive from the services, never through this API (searches may be sent by POST AuditEvent/_search).")
            .AuditedAsFhirInteraction(); // a 404 or 405 here is still an attempt on the trail
        return fhir;
    }
}
