using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
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

    /// <summary>Binds both listeners (loopback only unless <paramref name="anyIp"/>) and registers them for the host to read back.</summary>
    public static ServiceListeners AddTo(WebApplicationBuilder builder, bool anyIp, int httpPort, int grpcPort)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var listeners = new ServiceListeners();
        builder.Services.AddSingleton(listeners);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = anyIp ? IPAddress.Any : IPAddress.Loopback;
            kestrel.Listen(address, httpPort, listen => (listen.Protocols, listeners.Http) = (HttpProtocols.Http1, listen));
            kestrel.Listen(address, grpcPort, listen => (listen.Protocols, listeners.Grpc) = (HttpProtocols.Http2, listen));
        });
        return listeners;
    }
}
