using System.Net;
using Chronicle.Fhir.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.ServiceDefaults;

/// <summary>
/// A service's two listeners: HTTP/1.1 (FHIR REST, its other HTTP APIs, health) and HTTP/2 cleartext (gRPC and Dapr's
/// app callback). After start their endpoints hold the bound ports, also when 0 was asked for.
/// </summary>
public sealed class ServiceListeners
{
    public ListenOptions? Http { get; private set; }

    public ListenOptions? Grpc { get; private set; }

    public Uri HttpBase => new(Root(Http, "HTTP"));

    public Uri GrpcAddress => new(Root(Grpc, "gRPC"));

    /// <summary>An address under the HTTP listener, e.g. <c>/fhir</c>.</summary>
    public Uri HttpUrl(string path) => new(HttpBase, path.TrimStart('/'));

    private static string Root(ListenOptions? listen, string name) =>
        listen?.IPEndPoint is { } endpoint ? $"http://{endpoint}/" : throw new InvalidOperationException($"The {name} listener is not bound yet.");

    /// <summary>
    /// Binds both listeners (loopback only unless <paramref name="anyIp"/>; the gRPC one see <see cref="GrpcAddress"/>) and
    /// registers them for the host to read back.
    /// </summary>
    public static ServiceListeners AddTo(WebApplicationBuilder builder, bool anyIp, int httpPort, int grpcPort) =>
        AddTo(builder, anyIp ? IPAddress.Any : IPAddress.Loopback, httpPort, grpcPort);

    /// <summary>Binds the HTTP listener to <paramref name="httpAddress"/> (and the gRPC one see <see cref="GrpcAddressFor"/>).</summary>
    public static ServiceListeners AddTo(WebApplicationBuilder builder, IPAddress httpAddress, int httpPort, int grpcPort)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(httpAddress);
        var listeners = new ServiceListeners();
        builder.Services.AddSingleton(listeners);
        var grpcAddress = GrpcAddressFor(builder.Configuration, httpAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(httpAddress, httpPort, listen =>
            {
                (listen.Protocols, listeners.Http) = (HttpProtocols.Http1, listen);
                listen.UseConnectionErrorBodies(); // Kestrel's own refusals (a %00 in the path) with a body too
            });
            kestrel.Listen(grpcAddress, grpcPort, listen => (listen.Protocols, listeners.Grpc) = (HttpProtocols.Http2, listen));
        });
        return listeners;
    }

    /// <summary>
    /// Where the gRPC listener binds. Under Dapr (<c>Chronicle:Transport</c> dapr, the default) everything on the gRPC port
    /// (the app callback, invoked services, commands) comes through the sidecar, which shares the pod's loopback: so it
    /// binds to loopback whatever the HTTP listener does, and nothing else on the network reaches it. Under the direct
    /// transport the apps call each other straight, so it follows the HTTP listener.
    /// </summary>
    public static IPAddress GrpcAddressFor(IConfiguration configuration, IPAddress httpAddress)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(httpAddress);
        var transport = configuration["Chronicle:Transport"];
        var direct = string.Equals(transport, "direct", StringComparison.OrdinalIgnoreCase);
        return direct ? httpAddress : IPAddress.IsLoopback(httpAddress) ? httpAddress : IPAddress.Loopback;
    }
}
