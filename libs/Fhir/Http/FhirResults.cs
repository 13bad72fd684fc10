using System.Net;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Chronicle.Fhir.Http;

/// <summary>A FHIR resource as an HTTP response: FHIR JSON, and for a versioned resource its ETag and Last-Modified.</summary>
/// <param name="allow">For a 405, the Allow header.</param>
public sealed class FhirResourceResult(Resource resource, HttpStatusCode status = HttpStatusCode.OK, IReadOnlyList<string>? allow = null) : IResult
{
    public Resource Resource { get; } = resource;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = (int)status;
        response.ContentType = FhirMediaTypes.FhirJsonUtf8;
        if (allow is { Count: > 0 })
            response.Headers.Allow = string.Join(", ", allow);
        if (Resource.Meta?.VersionId is { } versionId && Resource is not Bundle and not OperationOutcome)
            response.Headers.ETag = ETags.Weak(versionId);
        if (Resource.Meta?.LastUpdated is { } lastUpdated && Resource is not Bundle and not OperationOutcome)
            response.Headers.LastModified = ETags.HttpDate(lastUpdated);
        var body = FhirJson.SerializeToUtf8Bytes(Resource);
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
    }
}

public static class FhirResults
{
    public static FhirResourceResult Resource(Resource resource) => new(resource);

    public static FhirResourceResult Outcome(FhirException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new FhirResourceResult(error.ToOperationOutcome(), error.Status, error.Allow);
    }

    /// <summary>A version read answers 304 when the client's If-None-Match already names it.</summary>
    public static IResult ResourceOrNotModified(HttpRequest request, Resource resource)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(resource);
        var versionId = resource.Meta?.VersionId;
        if (versionId is not null && ETags.AnyMatches(request.Headers.IfNoneMatch, versionId))
            return new NotModifiedResult(versionId);
        if (versionId is not null && request.Headers.IfNoneMatch.Count == 0
            && resource.Meta?.LastUpdated is { } lastUpdated
            && request.GetTypedHeaders().IfModifiedSince is { } since
            && TruncateToSeconds(lastUpdated) <= since)
            return new NotModifiedResult(versionId);
        return new FhirResourceResult(resource);
    }

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset instant) =>
        new(instant.UtcTicks - instant.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private sealed class NotModifiedResult(string versionId) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status304NotModified;
            httpContext.Response.Headers[HeaderNames.ETag] = ETags.Weak(versionId);
            return Task.CompletedTask;
        }
    }
}
