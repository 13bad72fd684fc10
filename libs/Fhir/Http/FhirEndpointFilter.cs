using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chronicle.Fhir.Http;

/// <summary>
/// Wraps every FHIR endpoint: refuses formats other than JSON (406), and turns every error into an
/// OperationOutcome with the right status, so no handler writes its own error responses.
/// </summary>
public sealed partial class FhirEndpointFilter(ILogger<FhirEndpointFilter> logger, IEnumerable<IFhirErrorMapping> mappings) : IEndpointFilter
{
    private readonly IFhirErrorMapping[] _mappings = [.. mappings];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        try
        {
            if (!FhirMediaTypes.FormatParameterAdmitsFhirJson(request.Query["_format"].FirstOrDefault())
                || !FhirMediaTypes.AdmitsFhirJson(request.Headers.Accept))
                throw FhirException.NotAcceptable($"This server returns {FhirMediaTypes.FhirJson} only.");
            return await next(context).ConfigureAwait(false);
        }
        catch (FhirException e)
        {
            return FhirResults.Outcome(e);
        }
        catch (Exception e) when (Mapped(e) is { } mapped)
        {
            return FhirResults.Outcome(mapped);
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            LogUnhandled(logger, e, request.Method, request.Path);
            return FhirResults.Outcome(new FhirException(System.Net.HttpStatusCode.InternalServerError,
                OperationOutcome.IssueType.Exception, "The server failed to answer this request; the failure has been logged."));
        }
    }

    private FhirException? Mapped(Exception error)
    {
        foreach (var mapping in _mappings)
        {
            if (mapping.Map(error) is { } mapped)
                return mapped;
        }

        return null;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "FHIR request {Method} {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}

public static class FhirRequestUrls
{
    /// <summary>
    /// The setting that names the server's public origin (scheme, host, port and any path base, e.g.
    /// https://fhir.example.nhs.uk or http://localhost:8080): when set, every fullUrl and link starts with it, whatever
    /// Host header a request carried.
    /// </summary>
    public const string PublicBaseUrlSetting = "Chronicle:PublicBaseUrl";

    /// <summary>
    /// Where links to this server start: <see cref="PublicBaseUrlSetting"/> when it is set; else the request's own scheme
    /// and host (after forwarded headers from a trusted proxy, and host filtering where AllowedHosts is set).
    /// </summary>
    public static string Origin(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var configured = request.HttpContext.RequestServices?.GetService<IConfiguration>()?[PublicBaseUrlSetting];
        if (string.IsNullOrWhiteSpace(configured))
            return $"{request.Scheme}://{request.Host}{request.PathBase}";
        return PublicOrigin(configured);
    }

    /// <summary>A configured public base URL as an origin without a trailing slash.</summary>
    /// <exception cref="InvalidOperationException">It is not an absolute http(s) URL without query or fragment.</exception>
    public static string PublicOrigin(string configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        if (!Uri.TryCreate(configured, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw new InvalidOperationException(
                $"{PublicBaseUrlSetting} must be an absolute http or https URL with no query, e.g. https://fhir.example.nhs.uk; it is '{configured}'.");
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>The FHIR base URL of this request's server, e.g. http://host:port/fhir, for fullUrls and links.</summary>
    public static string BaseUrl(HttpRequest request, string fhirPrefix) => Origin(request) + fhirPrefix;

    public static Uri Self(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new Uri($"{Origin(request)}{request.Path}{request.QueryString}");
    }

    /// <summary>The request's own URL with <paramref name="parameter"/> set to <paramref name="value"/>, all else kept in order.</summary>
    public static Uri WithParameter(HttpRequest request, string parameter, string value)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new QueryString();
        foreach (var (name, values) in request.Query)
        {
            if (name == parameter)
                continue;
            foreach (var v in values)
                query = query.Add(name, v ?? "");
        }

        query = query.Add(parameter, value);
        return new Uri($"{Origin(request)}{request.Path}{query}");
    }
}
