using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Fhir.Http;

/// <summary>The HTTP methods of a read-only FHIR server, in one place for every FHIR surface (Record, Audit, the gateway).</summary>
public static class FhirRoutes
{
    /// <summary>The last segment of <c>POST [type]/_search</c>.</summary>
    public const string SearchSegment = "_search";

    /// <summary>What a read interaction answers. HEAD answers as GET does, with the same status and headers and no body.</summary>
    public static IReadOnlyList<string> ReadMethods { get; } = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>What <c>[type]/_search</c> answers: a search by POST, and the methods of every read.</summary>
    public static IReadOnlyList<string> SearchMethods { get; } = [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post];

    /// <summary>
    /// Maps a read interaction for GET and HEAD. The handler runs for both; Kestrel sends no body with a HEAD response,
    /// so status, ETag, Last-Modified and Content-Length are exactly GET's.
    /// </summary>
    public static RouteHandlerBuilder MapFhirRead(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapMethods(pattern, ReadMethods, handler);
    }

    /// <summary>
    /// Maps <c>POST [type]/_search</c>, which takes <c>application/x-www-form-urlencoded</c> only. With another content
    /// type routing passes it to <see cref="MapFhirFallback"/>, which answers 415 before any token is asked for.
    /// </summary>
    public static RouteHandlerBuilder MapFhirSearchPost(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPost(pattern, handler).Accepts<IFormCollection>(FhirSearchParameters.FormUrlEncoded);
    }

    /// <summary>
    /// Every other request under the FHIR prefix: a read of a path nothing serves is a 404, a search by POST with the wrong
    /// content type a 415, any other method a 405 with its Allow header, all as OperationOutcomes. It needs no token: what
    /// it says depends only on the request's method, path and content type, all of which the CapabilityStatement
    /// (itself public) describes, so a client learns its real mistake (a 415 rather than a 401) and nothing about data.
    /// </summary>
    public static RouteHandlerBuilder MapFhirFallback(this IEndpointRouteBuilder endpoints, Func<string?, string> notFound, string notAllowed)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(notFound);
        return endpoints.MapFallback("/{**path}", (HttpRequest request, string? path) =>
            Task.FromException<IResult>(Unanswered(request, notFound(path), notAllowed))).AllowAnonymous();
    }

    private static FhirException Unanswered(HttpRequest request, string notFound, string notAllowed)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            return FhirException.NotFound(notFound);
        var search = request.Path.Value?.TrimEnd('/').EndsWith("/" + SearchSegment, StringComparison.Ordinal) == true;
        if (search && HttpMethods.IsPost(request.Method) && !FhirSearchParameters.IsFormUrlEncoded(request.ContentType))
            return FhirException.UnsupportedMediaType(
                $"A search by POST takes its parameters as {FhirSearchParameters.FormUrlEncoded}; the request's content type is '{request.ContentType ?? "none"}'.");
        return FhirException.MethodNotAllowed(notAllowed, search ? SearchMethods : ReadMethods);
    }
}
