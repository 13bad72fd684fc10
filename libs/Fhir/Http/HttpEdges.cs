using System.Net;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Fhir.Http;

/// <summary>
/// What every Chronicle HTTP surface does at its edge, before any endpoint or token check: sane request limits, and an
/// error that would otherwise go out with an empty body (a bad or over-long request, a body over the limit, malformed
/// JSON, a routing 405 or 415) answered with one that says what was wrong: an OperationOutcome under the FHIR prefix,
/// RFC 9457 problem details anywhere else.
/// </summary>
public static class HttpEdges
{
    /// <summary>The largest request body any Chronicle HTTP endpoint takes: logins, token requests, admin calls and FHIR searches are small.</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>The longest request target (path and query) answered; a longer one is a 414 with a body.</summary>
    public const int MaxRequestTargetLength = 8 * 1024;

    /// <summary>
    /// Kestrel refuses a request line over its limit itself, with an empty body, before any middleware runs. Its limit is
    /// set well above <see cref="MaxRequestTargetLength"/> so that the 414 is ours; only a target over this is Kestrel's.
    /// </summary>
    public const int KestrelMaxRequestLineBytes = 64 * 1024;

    /// <summary>Kestrel's limits for a Chronicle HTTP surface (see <see cref="MaxRequestBodyBytes"/>, <see cref="KestrelMaxRequestLineBytes"/>).</summary>
    public static void Apply(KestrelServerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        limits.MaxRequestBodySize = MaxRequestBodyBytes;
        limits.MaxRequestLineSize = KestrelMaxRequestLineBytes;
    }

    /// <summary>
    /// Registers <see cref="Apply"/> for the host's Kestrel, and the request marking that lets a listener with
    /// <see cref="ConnectionErrorBodies.UseConnectionErrorBodies"/> tell Kestrel's own refusals from the application's answers.
    /// </summary>
    public static IServiceCollection AddHttpEdgeLimits(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, ConnectionErrorBodies.TrackRequests>());
        return services.Configure<KestrelServerOptions>(kestrel => Apply(kestrel.Limits));
    }

    /// <summary>
    /// Forwarded headers from a trusted proxy (<see cref="FhirForwardedHeaders"/>), then <see cref="UseHttpErrorBodies"/> and
    /// <see cref="UseRoutingRejections"/>: for a service whose routing runs first (WebApplication's default).
    /// </summary>
    public static IApplicationBuilder UseFhirHttpEdges(this IApplicationBuilder app, string fhirPrefix = "/fhir") =>
        app.UseFhirForwardedHeaders().UseHttpErrorBodies(fhirPrefix).UseRoutingRejections(fhirPrefix);

    /// <summary>
    /// Refuses an over-long target (414), a control character such as <c>%00</c> in the path or query (400) and a declared
    /// body over the limit (413) before anything reads them; turns Kestrel's body errors (413, malformed framing) and form
    /// limits into their status; and gives every error response that has no body one that says why. gRPC calls are left alone.
    /// </summary>
    public static IApplicationBuilder UseHttpErrorBodies(this IApplicationBuilder app, string fhirPrefix = "/fhir")
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(async (context, next) =>
        {
            if (IsGrpc(context.Request))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            if (Refusal(context) is { } refused)
            {
                await WriteAsync(context, fhirPrefix, refused.Status, refused.Message).ConfigureAwait(false);
                return;
            }

            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                context.Response.Clear(); // whatever the failed handler had set
                await WriteAsync(context, fhirPrefix, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge
                    ? TooLarge : $"The request could not be read: {e.Message}").ConfigureAwait(false);
                return;
            }
            catch (InvalidDataException) when (!context.Response.HasStarted && context.Request.HasFormContentType)
            {
                // The form reader's own limits (value length, value count) on a body within the byte limit.
                context.Response.Clear();
                await WriteAsync(context, fhirPrefix, StatusCodes.Status413PayloadTooLarge, "The form has more, or longer, fields than this server accepts.")
                    .ConfigureAwait(false);
                return;
            }

            var response = context.Response;
            if (!response.HasStarted && response.StatusCode >= 400 && response.ContentType is null && response.ContentLength is null or 0
                && !HttpMethods.IsHead(context.Request.Method))
                await WriteAsync(context, fhirPrefix, response.StatusCode, DefaultSentence(response.StatusCode)).ConfigureAwait(false);
        });
    }

    /// <summary>
    /// Answers routing's own refusals (405 with its Allow header, 415) before authentication, as the endpoint's would be:
    /// they depend only on the method, path and content type, so a client learns its real mistake rather than a 401, and
    /// nothing about any data. Call after routing and before <c>UseChronicleSecurity</c>.
    /// </summary>
    public static IApplicationBuilder UseRoutingRejections(this IApplicationBuilder app, string fhirPrefix = "/fhir")
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Use(async (context, next) =>
        {
            // Routing's rejection endpoints are plain endpoints (not route endpoints) named by their status.
            if (context.GetEndpoint() is { } endpoint and not RouteEndpoint && endpoint.RequestDelegate is { } reject
                && endpoint.DisplayName is { } name && (name.StartsWith("405 ", StringComparison.Ordinal) || name.StartsWith("415 ", StringComparison.Ordinal))
                && !IsGrpc(context.Request))
            {
                await reject(context).ConfigureAwait(false); // sets the status, and the Allow header for a 405
                if (!context.Response.HasStarted)
                    await WriteAsync(context, fhirPrefix, context.Response.StatusCode, DefaultSentence(context.Response.StatusCode)).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        });
    }

    private const string TooLarge = "The request body is larger than this server accepts (at most 1 MiB).";

    private static (int Status, string Message)? Refusal(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? $"{request.PathBase}{request.Path}{request.QueryString}";
        if (target.Length > MaxRequestTargetLength)
            return (StatusCodes.Status414UriTooLong, $"The request URI is longer than {MaxRequestTargetLength} characters.");
        if (HasControlCharacter(request.Path.Value) || request.Query.Any(p => HasControlCharacter(p.Key) || p.Value.Any(HasControlCharacter)))
            return (StatusCodes.Status400BadRequest, "The request's path or query contains a control character (such as %00); none is allowed.");
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = Math.Min(limit.MaxRequestBodySize ?? MaxRequestBodyBytes, MaxRequestBodyBytes);
        if (request.ContentLength > MaxRequestBodyBytes)
            return (StatusCodes.Status413PayloadTooLarge, TooLarge);
        return null;
    }

    private static bool HasControlCharacter(string? text) => text is not null && text.Any(char.IsControl);

    private static bool IsGrpc(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    private static string DefaultSentence(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request is malformed (for example, its JSON could not be read).",
        StatusCodes.Status401Unauthorized => "A valid access token is required.",
        StatusCodes.Status403Forbidden => "The request is not allowed.",
        StatusCodes.Status404NotFound => "Nothing is served at this address.",
        StatusCodes.Status405MethodNotAllowed => "This address does not answer this method; the Allow header lists those it does.",
        StatusCodes.Status413PayloadTooLarge => TooLarge,
        StatusCodes.Status415UnsupportedMediaType => "This address does not take a body of this content type.",
        StatusCodes.Status429TooManyRequests => "Too many requests; try again later.",
        _ => $"The request failed with HTTP status {status}.",
    };

    /// <summary>Writes the body; the headers already set (WWW-Authenticate, Allow, Retry-After…) stay.</summary>
    internal static async Task WriteAsync(HttpContext context, string fhirPrefix, int status, string message)
    {
        if (context.Request.Path.StartsWithSegments(fhirPrefix, StringComparison.OrdinalIgnoreCase))
        {
            await FhirResults.Outcome(new FhirException((HttpStatusCode)status, IssueType(status), message)).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        await Results.Problem(detail: message, statusCode: status).ExecuteAsync(context).ConfigureAwait(false);
    }

    private static OperationOutcome.IssueType IssueType(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => OperationOutcome.IssueType.Login,
        StatusCodes.Status403Forbidden => OperationOutcome.IssueType.Forbidden,
        StatusCodes.Status404NotFound => OperationOutcome.IssueType.NotFound,
        StatusCodes.Status405MethodNotAllowed or StatusCodes.Status415UnsupportedMediaType => OperationOutcome.IssueType.NotSupported,
        StatusCodes.Status413PayloadTooLarge or StatusCodes.Status414UriTooLong => OperationOutcome.IssueType.TooLong,
        StatusCodes.Status429TooManyRequests => OperationOutcome.IssueType.Throttled,
        >= 500 => OperationOutcome.IssueType.Exception,
        _ => OperationOutcome.IssueType.Invalid,
    };
}
