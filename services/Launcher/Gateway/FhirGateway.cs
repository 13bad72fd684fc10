using System.Net;
using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Chronicle.Launcher.Gateway;

/// <summary>
/// The platform's one FHIR base (<c>http://localhost:{port}/fhir</c>): a request goes to the service that owns its
/// resource type, headers and body untouched, with X-Forwarded-Host/Proto/For so the service's fullUrls and links name
/// the gateway. <c>/metadata</c> is the services' CapabilityStatements merged. An unknown type is a 404 and a service
/// that is not ready or does not answer a 503, both as OperationOutcomes.
/// </summary>
public sealed partial class FhirGateway : IAsyncDisposable
{
    public const string Prefix = "/fhir";

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromMinutes(2) };
    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _forwarding;
    private readonly HttpClient _metadata;

    private FhirGateway(WebApplication app, HttpMessageInvoker forwarding, HttpClient metadata, Uri fhirBase)
    {
        _app = app;
        _forwarding = forwarding;
        _metadata = metadata;
        FhirBase = fhirBase;
    }

    /// <summary>E.g. http://localhost:8080/fhir (no trailing slash).</summary>
    public Uri FhirBase { get; }

    /// <summary>Listens on localhost:<paramref name="port"/>.</summary>
    /// <param name="publicBase">
    /// Where clients reach the gateway (scheme, host, port), when not http://localhost:{port}, e.g. behind a proxy. Links
    /// and fullUrls start with it, and only its host and loopback names are accepted in the Host header.
    /// </param>
    /// <exception cref="IOException">The port is taken.</exception>
    public static async Task<FhirGateway> StartAsync(int port, FhirRouteTable routes, string softwareVersion, CancellationToken cancellationToken,
        Uri? publicBase = null)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var origin = new Uri(FhirRequestUrls.PublicOrigin((publicBase ?? new Uri($"http://localhost:{port}")).ToString()));
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.ListenLocalhost(port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseConnectionErrorBodies(Prefix); // Kestrel's own refusals (a %00 in the path) with an OperationOutcome too
            });
        });
        builder.Services.AddHttpEdgeLimits();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = false;
        }).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddHttpForwarder();
        var app = builder.Build();

        var fhirBase = new Uri($"{origin.GetLeftPart(UriPartial.Path).TrimEnd('/')}{Prefix}");
        var forwarding = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        });
        var metadata = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(15) };
        var gateway = new FhirGateway(app, forwarding, metadata, fhirBase);
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<FhirGateway>();
        app.UseHttpErrorBodies(Prefix);
        app.Run(context => gateway.HandleAsync(context, routes, forwarder, softwareVersion, logger));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _forwarding.Dispose();
        _metadata.Dispose();
    }

    private async System.Threading.Tasks.Task HandleAsync(HttpContext context, FhirRouteTable routes, IHttpForwarder forwarder, string softwareVersion, ILogger logger)
    {
        if (!IsOwnHost(context.Request.Host.Host))
        {
            await FhirResults.Outcome(FhirException.BadRequest($"The Host header '{context.Request.Host}' does not name this gateway ({FhirBase.Authority}).",
                OperationOutcome.IssueType.Security)).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (!context.Request.Path.StartsWithSegments(Prefix, StringComparison.Ordinal, out var path))
        {
            await FhirResults.Outcome(FhirException.NotFound($"The platform's FHIR API is under {FhirBase}.")).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        switch (routes.Resolve(context.Request.Method, path.Value ?? ""))
        {
            case MetadataRoute:
                await WriteMetadataAsync(context, routes, softwareVersion, logger).ConfigureAwait(false);
                break;
            case RefusedRoute refused:
                await FhirResults.Outcome(refused.Error).ExecuteAsync(context).ConfigureAwait(false);
                break;
            case ForwardRoute forward:
                await ForwardAsync(context, forward, forwarder, logger).ConfigureAwait(false);
                break;
        }
    }

    private async System.Threading.Tasks.Task ForwardAsync(HttpContext context, ForwardRoute route, IHttpForwarder forwarder, ILogger logger)
    {
        var destination = route.Backend.FhirBase!.ToString().TrimEnd('/');
        var error = await forwarder.SendAsync(context, destination, _forwarding, RequestConfig, new FhirPathTransformer(route.Path, FhirBase)).ConfigureAwait(false);
        if (error == ForwarderError.None || context.RequestAborted.IsCancellationRequested)
            return;
        var failure = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        LogForwardingFailed(logger, failure, route.Backend.Service, error);
        if (context.Response.HasStarted)
            return;
        context.Response.Clear();
        await FhirResults.Outcome(FhirException.Unavailable(
            $"The {route.Backend.Service} service, which serves this resource type, did not answer ({error}{(failure is null ? "" : ": " + failure.Message)})."))
            .ExecuteAsync(context).ConfigureAwait(false);
    }

    private async System.Threading.Tasks.Task WriteMetadataAsync(HttpContext context, FhirRouteTable routes, string softwareVersion, ILogger logger)
    {
        var ready = routes.Backends.Where(b => b.State == BackendState.Ready && b.FhirBase is not null).ToList();
        var answers = await System.Threading.Tasks.Task.WhenAll(ready.Select(b => FetchCapabilitiesAsync(b, logger, context.RequestAborted))).ConfigureAwait(false);
        var statements = answers.OfType<ServiceCapabilities>().ToList();
        if (statements.Count == 0)
        {
            var waiting = routes.Backends.Where(b => b.State != BackendState.Ready).Select(b => b.Unavailability());
            await FhirResults.Outcome(FhirException.Unavailable($"No service can describe itself yet. {string.Join(" ", waiting)}"))
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var merged = CapabilityStatementMerge.Merge(statements, routes, FhirBase.ToString().TrimEnd('/'), softwareVersion);
        await FhirResults.Resource(merged).ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads each ready service's CapabilityStatement and routes the resource types it describes to it
    /// (<see cref="FhirRouteTable.Learn"/>).
    /// </summary>
    /// <returns>What the launcher should say: a type another service owns, or a service whose statement could not be read.</returns>
    public async Task<IReadOnlyList<string>> LearnRoutesAsync(FhirRouteTable routes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var logger = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<FhirGateway>();
        var ready = routes.Backends.Where(b => b.State == BackendState.Ready && b.FhirBase is not null).ToList();
        var answers = await System.Threading.Tasks.Task.WhenAll(ready.Select(b => FetchCapabilitiesAsync(b, logger, cancellationToken))).ConfigureAwait(false);
        var warnings = new List<string>();
        foreach (var (backend, answer) in ready.Zip(answers))
        {
            if (answer is null)
                warnings.Add($"{backend.Service}'s CapabilityStatement could not be read, so the gateway routes none of its resource types.");
            else
                warnings.AddRange(routes.Learn(backend, answer.Statement.Rest.SelectMany(r => r.Resource).Select(r => r.Type).OfType<string>()));
        }

        return warnings;
    }

    private async Task<ServiceCapabilities?> FetchCapabilitiesAsync(FhirBackend backend, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(backend.FhirBase + "/metadata"));
            request.Headers.Accept.ParseAdd(FhirMediaTypes.FhirJson);
            using var response = await _metadata.SendAsync(request, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            var json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return new ServiceCapabilities(backend.Service, FhirJson.Deserialize<CapabilityStatement>(json));
        }
        catch (Exception e) when (e is HttpRequestException or FhirException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogMetadataFailed(logger, e, backend.Service);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding to {Service} failed: {Error}")]
    private static partial void LogForwardingFailed(ILogger logger, Exception? exception, string service, ForwarderError error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Service} service's CapabilityStatement could not be read; /metadata leaves it out")]
    private static partial void LogMetadataFailed(ILogger logger, Exception exception, string service);

    /// <summary>The Host header names this gateway: its public host, or a loopback name (it listens on loopback only).</summary>
    private bool IsOwnHost(string host) =>
        string.Equals(host, FhirBase.Host, StringComparison.OrdinalIgnoreCase)
        || host is "localhost" or "127.0.0.1" or "[::1]";

    /// <summary>
    /// YARP's default transforms (all headers copied, X-Forwarded-For set, the destination's Host), with the path below
    /// the gateway's FHIR base appended to the service's FHIR base. X-Forwarded-Host and -Proto name the gateway's own
    /// public base, never what the client sent, so a service's links and fullUrls cannot be pointed elsewhere.
    /// </summary>
    private sealed class FhirPathTransformer(string path, Uri gatewayBase) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await Default.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(path), httpContext.Request.QueryString);
            proxyRequest.Headers.Remove("X-Forwarded-Host");
            proxyRequest.Headers.Remove("X-Forwarded-Proto");
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Host", gatewayBase.Authority);
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-Proto", gatewayBase.Scheme);
        }

        public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken) =>
            Default.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);

        public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
            Default.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
    }
}
