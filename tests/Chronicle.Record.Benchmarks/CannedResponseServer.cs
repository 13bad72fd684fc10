using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Chronicle.Record.Benchmarks;

/// <summary>A response as the FHIR API sent it: the bytes and their content type.</summary>
internal sealed record CapturedResponse(string ContentType, byte[] Body);

/// <summary>
/// The FHIR latency baseline: a minimal Kestrel app, built like the Record host (slim builder, HTTP/1.1 on a real
/// loopback port, the same process), that answers each captured path and query with the captured bytes and content
/// type from a dictionary. What the Record's FHIR API costs on top of it is routing, the database and serialisation.
/// </summary>
internal sealed class CannedResponseServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CannedResponseServer(WebApplication app, int port)
    {
        _app = app;
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri Address { get; }

    /// <summary>The dictionary key of a request: the path and the query exactly as sent.</summary>
    public static string KeyOf(HttpRequest request) => request.Path.Value + request.QueryString.Value;

    public static async Task<CannedResponseServer> StartAsync(IReadOnlyDictionary<string, CapturedResponse> responses)
    {
        var port = RecordHost.FreeLoopbackPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        app.Run(context =>
        {
            if (!responses.TryGetValue(KeyOf(context.Request), out var response))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            context.Response.ContentType = response.ContentType;
            context.Response.ContentLength = response.Body.Length;
            return context.Response.Body.WriteAsync(response.Body).AsTask();
        });
        await app.StartAsync();
        return new CannedResponseServer(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
