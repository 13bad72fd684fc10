using Chronicle.Auditing;
using System.Globalization;
using Chronicle.EventStore;
using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Chronicle.Fhir.Search;
using Chronicle.Security;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Task = System.Threading.Tasks.Task;

using Chronicle.Record.Fhir.Projection;

namespace Chronicle.Record.Fhir.Api;

/// <summary>
/// The handlers behind <see cref="RecordFhirEndpoints.MapRecordFhir"/>. Each throws <see cref="FhirException"/> for a
/// request it cannot answer; <see cref="FhirEndpointFilter"/> turns that into an OperationOutcome.
/// </summary>
public sealed class RecordFhirApi(RecordFhirReadModel readModel, IOptions<RecordFhirOptions> options)
{
    public const string MinPositionHeader = "X-Chronicle-Min-Position";

    /// <summary>
    /// The most patients a search naming none asks about to count its <c>total</c> (each is a relationship check); a search
    /// matching more patients' records answers without a total, as FHIR allows.
    /// </summary>
    public const int MaxPatientsCounted = 1000;

    private static readonly HashSet<string> HistoryParameters = new(StringComparer.Ordinal)
    {
        SearchRequestParser.CountParameter, SearchRequestParser.CursorParameter, SearchRequestParser.FormatParameter,
        RecordFhirDefinitions.SinceParameter,
    };

    private static readonly HashSet<string> EverythingParameters = new(HistoryParameters, StringComparer.Ordinal)
    {
        RecordFhirDefinitions.PointInTimeParameter, RecordFhirDefinitions.StartParameter, RecordFhirDefinitions.EndParameter,
        RecordFhirDefinitions.TypeParameter,
    };

    private readonly RecordFhirOptions _options = options.Value;
    private readonly FhirServerDescription _server = RecordFhirDefinitions.Server(
        typeof(RecordFhirApi).Assembly.GetName().Version?.ToString() ?? "0.0.0") with { Paging = options.Value.Paging };

    public async Task<IResult> MetadataAsync(HttpRequest request) =>
        FhirResults.Resource(CapabilityStatements.Build(_server, BaseUrl(request),
            await Chronicle.Fhir.Conformance.SmartConfiguration.ForRequestAsync(request.HttpContext).ConfigureAwait(false)));

    public async Task<IResult> ReadAsync(HttpRequest request, string type, string id)
    {
        await WaitForMinPositionAsync(request).ConfigureAwait(false);
        Definition(type);
        ValidateId(id);
        await RecordFhirAccess.BeforeLookupAsync(request.HttpContext, type, id, ScopeAccess.Read).ConfigureAwait(false);
        var stored = await readModel.Queries.ReadCurrentAsync(type, id, request.HttpContext.RequestAborted).ConfigureAwait(false)
            ?? throw FhirException.NotFound($"{type}/{id} is not known.");
        await RecordFhirAccess.RequirePatientAsync(request.HttpContext, stored.PatientId).ConfigureAwait(false);
        return FhirResults.ResourceOrNotModified(request, stored.Parse());
    }

    public async Task<IResult> VReadAsync(HttpRequest request, string type, string id, string versionId)
    {
        await WaitForMinPositionAsync(request).ConfigureAwait(false);
        Definition(type);
        ValidateId(id);
        await RecordFhirAccess.BeforeLookupAsync(request.HttpContext, type, id, ScopeAccess.Read).ConfigureAwait(false);
        if (!long.TryParse(versionId, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
            throw FhirException.NotFound($"{type}/{id} has no version '{versionId}'; versions are 1, 2, 3 and so on.");
        var stored = await readModel.Queries.ReadVersionAsync(type, id, version, request.HttpContext.RequestAborted).ConfigureAwait(false)
            ?? throw FhirException.NotFound($"{type}/{id} has no version {version}.");
        await RecordFhirAccess.RequirePatientAsync(request.HttpContext, stored.PatientId).ConfigureAwait(false);
        return FhirResults.ResourceOrNotModified(request, stored.Parse());
    }

    public async Task<IResult> HistoryAsync(HttpRequest request, string type, string id)
    {
        await WaitForMinPositionAsync(request).ConfigureAwait(false);
        Definition(type);
        ValidateId(id);
        var kept = KnownParameters(request, HistoryParameters, "_history");
        await RecordFhirAccess.BeforeLookupAsync(request.HttpContext, type, id, ScopeAccess.Read).ConfigureAwait(false);
        var count = Count(request);
        var before = request.Query[SearchRequestParser.CursorParameter].FirstOrDefault() is { Length: > 0 } cursor
            ? ParseVersionCursor(cursor)
            : (long?)null;
        var since = InstantParameter(request, RecordFhirDefinitions.SinceParameter);
        var cancellationToken = request.HttpContext.RequestAborted;
        var current = await readModel.Queries.ReadCurrentAsync(type, id, cancellationToken).ConfigureAwait(false)
            ?? throw FhirException.NotFound($"{type}/{id} is not known.");
        await RecordFhirAccess.RequirePatientAsync(request.HttpContext, current.PatientId).ConfigureAwait(false);

        var rows = await readModel.Queries.HistoryAsync(type, id, before, since is null ? null : FhirDateRange.ToMicros(since.Value),
            count + 1, cancellationToken).ConfigureAwait(false);
        var page = rows.Take(count).ToList();
        var url = $"{BaseUrl(request)}/{type}/{id}/_history";
        var next = rows.Count > count
            ? FhirSearchParameters.Url(url, kept, SearchRequestParser.CursorParameter,
                PageCursor.Encode(page[^1].VersionId.ToString(CultureInfo.InvariantCulture)))
            : null;
        return FhirResults.Resource(FhirBundles.History(BaseUrl(request), page.Select(r => r.Parse()), FhirSearchParameters.Url(url, kept), next));
    }

    public async Task<IResult> SearchAsync(HttpRequest request, string type)
    {
        await WaitForMinPositionAsync(request).ConfigureAwait(false);
        var definition = Definition(type);
        var parameters = await FhirSearchParameters.ReadAsync(request).ConfigureAwait(false);
        var search = SearchRequestParser.Parse(definition, parameters.Pairs, _options.Paging, FhirPreferences.Handling(request));
        var filter = await RecordFhirAccess.BeforeSearchAsync(request.HttpContext, parameters, type).ConfigureAwait(false);
        var after = search.Cursor is null ? null : SearchPosition.FromCursor(search.Cursor, search);
        var cancellationToken = request.HttpContext.RequestAborted;
        var context = request.HttpContext;
        Task<IReadOnlyList<SearchRow>> Fetch(SearchPosition? from, int limit) =>
            readModel.Queries.SearchAsync(type, search.Criteria, search.Sort, from, limit, cancellationToken);
        // A search naming no patient shows only what the caller may reach, and still fills its pages.
        var page = !search.WantsEntries ? new SearchPage([], More: false)
            : filter ? await ReachableSearch.PageAsync(Fetch, context.CanReachPatientAsync, after, search.Count).ConfigureAwait(false)
            : await ReachableSearch.UnfilteredPageAsync(Fetch, after, search.Count).ConfigureAwait(false);
        var shown = page.Rows.Select(r => r.Resource).ToList();

        var included = new List<Resource>();
        var leftOut = false;
        foreach (var include in search.Includes)
        {
            var patientIds = shown.Select(r => r.PatientId).Distinct(StringComparer.Ordinal).ToList();
            var targets = await readModel.Queries.ReadCurrentAsync(include.TargetType, patientIds, cancellationToken).ConfigureAwait(false);
            // An included resource is shown only if a direct read of it would be: its type's scope and its patient's relationship.
            foreach (var target in targets)
            {
                if (await context.MayReadResourceAsync(target.Type, target.PatientId).ConfigureAwait(false))
                    included.Add(target.Parse());
                else
                    leftOut = true;
            }
        }

        // The total counts what the caller may see, as the pages show it: a filtered search counts reachable patients' matches
        // only, asking for each patient once. Past MaxPatientsCounted patients it is left out rather than asked for each.
        long? total = null;
        if (search.WantsTotal)
        {
            var byPatient = await readModel.Queries.CountByPatientAsync(type, search.Criteria, cancellationToken).ConfigureAwait(false);
            if (!filter)
                total = byPatient.Sum(c => c.Count);
            else if (byPatient.Count <= MaxPatientsCounted)
            {
                total = 0;
                foreach (var (patientId, matches) in byPatient)
                {
                    if (await context.CanReachPatientAsync(patientId).ConfigureAwait(false))
                        total += matches;
                }
            }
        }

        // Links are GET URLs of the same search, whether it came by GET or by POST _search, with only the parameters it honoured.
        var typeUrl = $"{BaseUrl(request)}/{type}";
        var next = page.More
            ? FhirSearchParameters.Url(typeUrl, search.Kept, SearchRequestParser.CursorParameter, page.Rows[^1].Position.ToCursor(search.SortSignature))
            : null;
        return FhirResults.Resource(FhirBundles.SearchSet(BaseUrl(request), search, shown.Select(r => r.Parse()), included,
            total is { } counted ? checked((int)counted) : null, FhirSearchParameters.Url(typeUrl, search.Kept), next, leftOut ? FhirBundles.IncludesLeftOut() : null));
    }

    public async Task<IResult> EverythingAsync(HttpRequest request, string id)
    {
        await WaitForMinPositionAsync(request).ConfigureAwait(false);
        ValidateId(id);
        var kept = KnownParameters(request, EverythingParameters, "Patient/$everything");
        var filter = EverythingFilter.Parse(request);
        // Every type it returns: a scope on all resource types, then the patient, before anything is looked up.
        RecordFhirAccess.RequireScope(request.HttpContext, SmartScope.AnyResource, ScopeAccess.Read);
        await RecordFhirAccess.RequirePatientAsync(request.HttpContext, id).ConfigureAwait(false);
        var count = Count(request);
        var after = request.Query[SearchRequestParser.CursorParameter].FirstOrDefault() is { Length: > 0 } cursor
            ? ResourceSortKey.FromCursor(cursor)
            : (ResourceSortKey?)null;
        var since = InstantParameter(request, RecordFhirDefinitions.SinceParameter);
        var at = InstantParameter(request, RecordFhirDefinitions.PointInTimeParameter);
        var cancellationToken = request.HttpContext.RequestAborted;

        List<(StoredResource Stored, Resource Resource)> matching;
        int total;
        if (at is { } asOf)
        {
            // The record as it stood then, folded from the stream through the projection's own builder.
            var record = Guid.TryParse(id, out var patientGuid)
                ? (await PatientRecordFold.LoadAsync(readModel.Store, patientGuid, asOf, cancellationToken).ConfigureAwait(false)).Current
                : [];
            if (!record.Any(r => r.Type == "Patient" && r.Id == id))
                throw FhirException.NotFound($"Patient/{id} did not exist at {FhirValues.DateTime(asOf)}.");
            var all = record
                .Select(r => (Stored: r, Resource: r.Parse()))
                .Where(r => since is null || r.Resource.Meta?.LastUpdated >= since)
                .Where(r => filter.Matches(r.Resource))
                .ToList();
            total = all.Count;
            matching = all.Where(r => after is null || r.Stored.Key.CompareTo(after.Value) > 0).Take(count + 1).ToList();
        }
        else
        {
            // Paged in the read model: only this page's rows are read and parsed.
            if (await readModel.Queries.ReadCurrentAsync(RecordFhirDefinitions.Patient.Type, id, cancellationToken).ConfigureAwait(false) is not { } patient
                || patient.PatientId != id)
                throw FhirException.NotFound($"Patient/{id} is not known.");
            var sinceMicros = since is null ? (long?)null : FhirDateRange.ToMicros(since.Value);
            var rows = await readModel.Queries.PatientRecordPageAsync(id, after, sinceMicros, count + 1, cancellationToken, filter).ConfigureAwait(false);
            matching = rows.Select(r => (Stored: r, Resource: r.Parse())).ToList();
            total = checked((int)await readModel.Queries.PatientRecordCountAsync(id, sinceMicros, filter, cancellationToken).ConfigureAwait(false));
        }

        var page = matching.Take(count).ToList();
        var url = $"{BaseUrl(request)}/Patient/{id}/${RecordFhirDefinitions.EverythingOperation}";
        var next = matching.Count > count
            ? FhirSearchParameters.Url(url, kept, SearchRequestParser.CursorParameter, page[^1].Stored.Key.ToCursor())
            : null;
        return FhirResults.Resource(FhirBundles.SearchSet(BaseUrl(request), page.Select(r => r.Resource), [],
            FhirSearchParameters.Url(url, kept), next, total: total));
    }

    /// <summary>Read-your-writes: a client that just appended can ask to read no earlier than its append's position.</summary>
    private async Task WaitForMinPositionAsync(HttpRequest request)
    {
        if (request.Headers[MinPositionHeader].FirstOrDefault() is not { Length: > 0 } value)
            return;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !long.TryParse(value.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var transaction)
            || !long.TryParse(value.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            throw FhirException.BadRequest($"{MinPositionHeader} must be '{{transaction}}/{{position}}' as returned by a command; it was '{value}'.");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(request.HttpContext.RequestAborted);
        timeout.CancelAfter(_options.MaxReadYourWritesWait);
        try
        {
            await readModel.WaitForAsync(new LogPosition(transaction, position), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            request.HttpContext.Response.Headers.RetryAfter = "1";
            throw FhirException.Unavailable(
                $"The FHIR view has not yet reached position {value} after {_options.MaxReadYourWritesWait.TotalSeconds:0.#} s; retry shortly.");
        }
    }

    private static FhirResourceDefinition Definition(string type) => RecordFhirDefinitions.Find(type)
        ?? throw FhirException.NotFound($"Resource type '{type}' is not served here. Served: {string.Join(", ", RecordFhirDefinitions.All.Select(d => d.Type))}.");

    private static void ValidateId(string id)
    {
        if (!FhirIds.IsValid(id))
            throw FhirException.BadRequest($"'{id}' is not a valid FHIR id.");
    }

    private int Count(HttpRequest request)
    {
        var values = request.Query[SearchRequestParser.CountParameter];
        if (values.Count == 0)
            return _options.Paging.DefaultCount;
        if (values.Count > 1)
            throw FhirException.BadRequest($"'{SearchRequestParser.CountParameter}' is given more than once.");
        return SearchRequestParser.ParseCount(values[0] ?? "", _options.Paging);
    }

    /// <summary>An instant parameter (<c>_at</c>, <c>_since</c>): a partial date stands for its whole span, its start for _since and its end otherwise.</summary>
    internal static DateTimeOffset? InstantParameter(HttpRequest request, string name)
    {
        var values = request.Query[name];
        if (values.Count == 0 || string.IsNullOrEmpty(values[0]))
            return null;
        if (values.Count > 1)
            throw FhirException.BadRequest($"'{name}' is given more than once.");
        if (!FhirDateRange.TryParse(values[0]!, out var range, out var error))
            throw FhirException.BadRequest($"'{name}': {error}");

        // A partial date stands for its whole span; "as at 2024-03-01" means by the end of that day.
        return FhirDateRange.FromMicros(name == RecordFhirDefinitions.SinceParameter ? range.Low : range.High);
    }

    private static long ParseVersionCursor(string cursor) =>
        long.TryParse(PageCursor.Decode(cursor, 1)[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw FhirException.BadRequest("'_cursor' is not a cursor this server issued; follow the 'next' link as given.");

    /// <summary>
    /// The request's parameters that <paramref name="supported"/> lists, in order, for the self and next links. Any other is
    /// a 400 naming it, unless the request prefers lenient handling, when it is ignored and left out of the links.
    /// </summary>
    internal static List<KeyValuePair<string, string?>> KnownParameters(HttpRequest request, IReadOnlySet<string> supported, string interaction)
    {
        var pairs = request.Query.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))).ToList();
        var unknown = pairs.Select(p => p.Key).Where(k => !supported.Contains(k)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0 && FhirPreferences.Handling(request) == SearchHandling.Strict)
            throw FhirException.NotSupported(
                $"{interaction} does not support {string.Join(", ", unknown.Select(u => $"'{u}'"))}. Supported: {string.Join(", ", supported.Order(StringComparer.Ordinal))}. " +
                "Send 'Prefer: handling=lenient' to have what is not supported ignored.");
        return [.. pairs.Where(p => supported.Contains(p.Key))];
    }

    private string BaseUrl(HttpRequest request) => FhirRequestUrls.BaseUrl(request, _options.RoutePrefix);
}
