using Microsoft.AspNetCore.Http;

namespace Chronicle.Fhir.Http;

/// <summary>
/// A search's parameters: the query string, and for <c>POST [type]/_search</c> the form body too (FHIR: both are read,
/// as one list, and the search is the same as the GET with all of them in the query).
/// </summary>
public sealed class FhirSearchParameters
{
    private FhirSearchParameters(IReadOnlyList<KeyValuePair<string, string?>> pairs) => Pairs = pairs;

    /// <summary>Every parameter in order, query string first, repeated names kept.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Pairs { get; }

    /// <summary>The values of one parameter, in order.</summary>
    public IReadOnlyList<string> this[string name] =>
        [.. Pairs.Where(p => string.Equals(p.Key, name, StringComparison.Ordinal)).Select(p => p.Value ?? "")];

    public IEnumerable<string> Names => Pairs.Select(p => p.Key).Distinct(StringComparer.Ordinal);

    /// <exception cref="FhirException">415 when a POST's body is not <c>application/x-www-form-urlencoded</c>.</exception>
    public static async Task<FhirSearchParameters> ReadAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pairs = request.Query.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))).ToList();
        if (HttpMethods.IsPost(request.Method))
        {
            if (!IsFormUrlEncoded(request.ContentType))
                throw FhirException.UnsupportedMediaType(
                    $"A search by POST takes its parameters as {FormUrlEncoded}; the request's content type is '{request.ContentType}'.");
            var form = await request.ReadFormAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
            pairs.AddRange(form.SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v))));
        }

        return new FhirSearchParameters(pairs);
    }

    public const string FormUrlEncoded = "application/x-www-form-urlencoded";

    public static bool IsFormUrlEncoded(string? contentType) =>
        contentType is not null
        && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type)
        && type.MediaType.Equals(FormUrlEncoded, StringComparison.OrdinalIgnoreCase);

    /// <summary>The search as a GET URL on <paramref name="typeUrl"/>, with <paramref name="parameter"/> replaced when given: for self and next links.</summary>
    public Uri Url(string typeUrl, string? parameter = null, string? value = null) => Url(typeUrl, Pairs, parameter, value);

    /// <summary>
    /// A search as a GET URL on <paramref name="typeUrl"/> with the given parameters (e.g. only those a search honours,
    /// <see cref="Search.SearchRequest.Kept"/>), <paramref name="parameter"/> replaced when given.
    /// </summary>
    public static Uri Url(string typeUrl, IEnumerable<KeyValuePair<string, string?>> pairs, string? parameter = null, string? value = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var query = new QueryString();
        foreach (var (name, v) in pairs)
        {
            if (parameter is not null && name == parameter)
                continue;
            query = query.Add(name, v ?? "");
        }

        if (parameter is not null)
            query = query.Add(parameter, value ?? "");
        return new Uri(typeUrl + query);
    }
}
