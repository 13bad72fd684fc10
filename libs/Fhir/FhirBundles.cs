using System.Globalization;
using Hl7.Fhir.Model;

namespace Chronicle.Fhir;

/// <summary>Builds the Bundles a read API returns: search results and version histories.</summary>
public static class FhirBundles
{
    /// <param name="baseUrl">The server's FHIR base, e.g. https://host/fhir (no trailing slash).</param>
    /// <param name="outcome">Warnings about the search (e.g. <see cref="IncludesLeftOut"/>), as an entry with search mode outcome.</param>
    /// <param name="total">The number of matches over all pages (Bundle.total); null leaves it out.</param>
    public static Bundle SearchSet(string baseUrl, IEnumerable<Resource> matches, IEnumerable<Resource> included, Uri self, Uri? next,
        OperationOutcome? outcome = null, int? total = null)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = total };
        foreach (var resource in matches)
            bundle.Entry.Add(SearchEntry(baseUrl, resource, Bundle.SearchEntryMode.Match));
        foreach (var resource in included)
            bundle.Entry.Add(SearchEntry(baseUrl, resource, Bundle.SearchEntryMode.Include));
        if (outcome is not null)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = "urn:uuid:" + Guid.NewGuid().ToString("D"),
                Resource = outcome,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Outcome },
            });
        }

        AddLinks(bundle, self, next);
        return bundle;
    }

    /// <summary>
    /// A search's result as <paramref name="search"/> asks for it: its matches and includes cut to <c>_summary</c> or
    /// <c>_elements</c> (SUBSETTED), no entries for <c>_count=0</c> or <c>_summary=count</c>, and <paramref name="total"/>
    /// unless <c>_total=none</c> (or the server could not count: null).
    /// </summary>
    public static Bundle SearchSet(string baseUrl, Search.SearchRequest search, IEnumerable<Resource> matches, IEnumerable<Resource> included,
        int? total, Uri self, Uri? next, OperationOutcome? outcome = null)
    {
        ArgumentNullException.ThrowIfNull(search);
        Resource Shape(Resource r) => Search.ResourceSubsets.Apply(r, search.Summary, search.Elements);
        return search.WantsEntries
            ? SearchSet(baseUrl, matches.Select(Shape), included.Select(Shape), self, next, outcome, search.WantsTotal ? total : null)
            : SearchSet(baseUrl, [], [], self, null, outcome, search.WantsTotal ? total : null);
    }

    /// <summary>
    /// Says that resources an <c>_include</c> asked for were left out because the request may not read them. It names
    /// neither the resources nor how many, so it tells the caller nothing a direct read would not.
    /// </summary>
    public static OperationOutcome IncludesLeftOut() => new()
    {
        Issue =
        [
            new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Warning,
                Code = OperationOutcome.IssueType.Suppressed,
                Diagnostics = "Some included resources were left out: this access token may not read them (their type's scope, or the patient's relationship).",
            },
        ],
    };

    /// <summary>A history Bundle; <paramref name="versions"/> newest first, as FHIR orders history.</summary>
    public static Bundle History(string baseUrl, IEnumerable<Resource> versions, Uri self, Uri? next)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.History };
        foreach (var version in versions)
        {
            var created = version.Meta?.VersionId == "1";
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = FullUrl(baseUrl, version),
                Resource = version,
                Request = new Bundle.RequestComponent
                {
                    Method = created ? Bundle.HTTPVerb.POST : Bundle.HTTPVerb.PUT,
                    Url = created ? version.TypeName : $"{version.TypeName}/{version.Id}",
                },
                Response = new Bundle.ResponseComponent
                {
                    Status = created ? "201 Created" : "200 OK",
                    Etag = version.Meta?.VersionId is { } v ? ETags.Weak(v) : null,
                    LastModified = version.Meta?.LastUpdated,
                },
            });
        }

        AddLinks(bundle, self, next);
        return bundle;
    }

    public static string FullUrl(string baseUrl, Resource resource) => $"{baseUrl}/{resource.TypeName}/{resource.Id}";

    private static Bundle.EntryComponent SearchEntry(string baseUrl, Resource resource, Bundle.SearchEntryMode mode) => new()
    {
        FullUrl = FullUrl(baseUrl, resource),
        Resource = resource,
        Search = new Bundle.SearchComponent { Mode = mode },
    };

    private static void AddLinks(Bundle bundle, Uri self, Uri? next)
    {
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = self.AbsoluteUri });
        if (next is not null)
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = next.AbsoluteUri });
    }
}

public static class ETags
{
    public static string Weak(string versionId) => $"W/\"{versionId}\"";

    /// <summary>True when an If-None-Match header names <paramref name="versionId"/> (weakly or strongly) or is "*".</summary>
    public static bool AnyMatches(IEnumerable<string?> ifNoneMatch, string versionId)
    {
        foreach (var header in ifNoneMatch)
        {
            if (header is null)
                continue;
            foreach (var raw in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var tag = raw.StartsWith("W/", StringComparison.Ordinal) ? raw[2..] : raw;
                if (tag == "*" || tag.Trim('"') == versionId)
                    return true;
            }
        }

        return false;
    }

    /// <summary>Last-Modified's HTTP date: whole seconds, so a client echoing it back compares by the second.</summary>
    public static string HttpDate(DateTimeOffset instant) => instant.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);
}
