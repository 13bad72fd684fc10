using Chronicle.Fhir.Search;
using Microsoft.AspNetCore.Http;

namespace Chronicle.Fhir.Http;

/// <summary>The request's <c>Prefer</c> header (RFC 7240), as FHIR uses it for searches: <c>handling=strict|lenient</c>.</summary>
public static class FhirPreferences
{
    public const string PreferHeader = "Prefer";

    /// <summary>
    /// What the request prefers for parameters the server does not support. Without a preference Chronicle is
    /// <see cref="SearchHandling.Strict"/>: a search it would answer without one of its filters is refused, not answered
    /// wider than asked. A handling other than strict or lenient is a 400.
    /// </summary>
    public static SearchHandling Handling(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var handling = SearchHandling.Strict;
        foreach (var header in request.Headers[PreferHeader])
        {
            foreach (var preference in (header ?? "").Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = preference.IndexOf('=', StringComparison.Ordinal);
                if (equals < 0 || !preference[..equals].Trim().Equals("handling", StringComparison.OrdinalIgnoreCase))
                    continue;
                handling = preference[(equals + 1)..].Trim().Trim('"').ToLowerInvariant() switch
                {
                    "strict" => SearchHandling.Strict,
                    "lenient" => SearchHandling.Lenient,
                    var other => throw FhirException.BadRequest($"'{PreferHeader}: handling={other}' is not a handling: use strict or lenient."),
                };
            }
        }

        return handling;
    }
}
