using System.Net;
using Chronicle.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Chronicle.Record.Tests.Host;

/// <summary>
/// Where a service's listeners bind. Under Dapr only the sidecar in the pod may reach the gRPC port (app callback,
/// invoked services), so it stays on loopback even when the HTTP port is opened to the network for the ingress.
/// </summary>
public sealed class ServiceListenersTests
{
    [Fact]
    public async Task GivenTheDaprTransportAndListenAnyIp_WhenStarted_ThenHttpListensOnEveryInterfaceAndGrpcOnLoopbackOnly()
    {
        var (http, grpc) = await BoundAddressesAsync("dapr");

        Assert.Equal(IPAddress.Any, http);
        Assert.Equal(IPAddress.Loopback, grpc);
    }

    [Fact]
    public async Task GivenTheDirectTransportAndListenAnyIp_WhenStarted_ThenBothListenOnEveryInterface()
    {
        var (http, grpc) = await BoundAddressesAsync("direct");

        Assert.Equal((IPAddress.Any, IPAddress.Any), (http, grpc));
    }

    private static async Task<(IPAddress Http, IPAddress Grpc)> BoundAddressesAsync(string transport)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["Chronicle:Transport"] = transport;
        var listeners = ServiceListeners.AddTo(builder, anyIp: true, httpPort: 0, grpcPort: 0);
        await using var app = builder.Build();
        await app.StartAsync();
        try
        {
            return (listeners.Http!.IPEndPoint!.Address, listeners.Grpc!.IPEndPoint!.Address);
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
