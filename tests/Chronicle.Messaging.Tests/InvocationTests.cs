using System.Collections.Concurrent;
using Chronicle.Messaging.Invocation;
using Chronicle.Messaging.Tests.Invocation;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Messaging.Tests;

/// <summary>Typed service clients: the same calling code routed by configuration, straight to the app or through a sidecar.</summary>
public sealed class InvocationTests
{
    private const string AfterOutage = "/chronicle.testing.v1.Greeter/GreetAfterOutage";

    [Fact]
    public async Task GivenTheDirectTransport_WhenCallingAnAppById_ThenTheCallReachesItsConfiguredAddress()
    {
        await using var greeter = await GreeterApp.StartAsync("greeter");
        await using var caller = Caller(new() { ["Chronicle:Transport"] = "direct", ["Chronicle:Apps:greeter:Grpc"] = greeter.App.Address.ToString() });

        var reply = await caller.GetRequiredService<Greeter.GreeterClient>().GreetAsync(new GreetRequest { Name = "Ann" });

        Assert.Equal(("Hello Ann", "greeter"), (reply.Message, reply.ServedBy));
    }

    [Fact]
    public async Task GivenTheDirectTransport_WhenCallingAnAppById_ThenTheCallCarriesTheAppsApiTokenAsItsSidecarWould()
    {
        await using var greeter = await GreeterApp.StartAsync("greeter");
        await using var shared = Caller(new()
        {
            ["Chronicle:Transport"] = "direct", ["Chronicle:Apps:greeter:Grpc"] = greeter.App.Address.ToString(),
            ["Chronicle:Dapr:AppApiToken"] = "run-token",
        });
        await using var own = Caller(new()
        {
            ["Chronicle:Transport"] = "direct", ["Chronicle:Apps:greeter:Grpc"] = greeter.App.Address.ToString(),
            ["Chronicle:Apps:greeter:AppApiToken"] = "greeter-token",
        });

        await shared.GetRequiredService<Greeter.GreeterClient>().GreetAsync(new GreetRequest { Name = "Al" });
        await own.GetRequiredService<Greeter.GreeterClient>().GreetAsync(new GreetRequest { Name = "Bo" });

        Assert.Equal(["run-token", "greeter-token"], greeter.Service.Calls.Select(headers => headers.GetValue("dapr-api-token")));
    }

    [Fact]
    public async Task GivenTheDaprTransport_WhenCallingAnAppById_ThenTheSidecarGetsTheCallWithTheDaprAppIdHeader()
    {
        await using var greeter = await GreeterApp.StartAsync("greeter");
        await using var sidecar = await GreeterApp.StartAsync("sidecar", forwardTo: greeter.App.Address);
        await using var caller = Caller(new()
        {
            ["Chronicle:Transport"] = "dapr",
            ["Chronicle:Dapr:GrpcEndpoint"] = sidecar.App.Address.ToString(),
            ["Chronicle:Dapr:ApiToken"] = "sidecar-token",
        });

        var reply = await caller.GetRequiredService<Greeter.GreeterClient>().GreetAsync(new GreetRequest { Name = "Bea" });

        Assert.Equal(("Hello Bea", "greeter"), (reply.Message, reply.ServedBy));
        var headers = Assert.Single(sidecar.Service.Calls);
        Assert.Equal(("greeter", "sidecar-token"), (headers.GetValue("dapr-app-id"), headers.GetValue("dapr-api-token")));
    }

    [Fact]
    public async Task GivenAnAppBrieflyUnavailable_WhenCallingAnIdempotentMethod_ThenTheCallIsRetriedAndSucceeds()
    {
        await using var greeter = await GreeterApp.StartAsync("greeter");
        await using var caller = Caller(new() { ["Chronicle:Transport"] = "direct", ["Chronicle:Apps:greeter:Grpc"] = greeter.App.Address.ToString() },
            options => options.IdempotentMethods.Add(AfterOutage));

        var reply = await caller.GetRequiredService<Greeter.GreeterClient>().GreetAfterOutageAsync(new GreetRequest { Name = "Cy" });

        Assert.Equal("Hello Cy", reply.Message);
        Assert.Equal(2, greeter.Service.Calls.Count);
    }

    [Fact]
    public async Task GivenAnAppBrieflyUnavailable_WhenCallingAMethodNotMarkedIdempotent_ThenItIsNotRetried()
    {
        await using var greeter = await GreeterApp.StartAsync("greeter");
        await using var caller = Caller(new() { ["Chronicle:Transport"] = "direct", ["Chronicle:Apps:greeter:Grpc"] = greeter.App.Address.ToString() });

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await caller.GetRequiredService<Greeter.GreeterClient>().GreetAfterOutageAsync(new GreetRequest { Name = "Di" }));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Single(greeter.Service.Calls);
    }

    private static ServiceProvider Caller(Dictionary<string, string?> configuration, Action<ServiceClientOptions>? configure = null)
    {
        configuration["Chronicle:AppId"] = "caller";
        configuration.TryAdd("Chronicle:Dapr:AppApiToken", "caller-token");
        var services = new ServiceCollection().AddLogging();
        services.AddChronicleMessaging(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build());
        services.AddServiceClient<Greeter.GreeterClient>("greeter", options =>
        {
            options.RetryDelay = TimeSpan.FromMilliseconds(10);
            configure?.Invoke(options);
        });
        return services.BuildServiceProvider();
    }
}

/// <summary>
/// The greeter app, or (with forwardTo) a stand-in for a Dapr sidecar: it records each call's headers and forwards the
/// call to the target app. A stand-in is used only here, because no Dapr sidecar binary can run on these machines.
/// </summary>
public sealed class GreeterService(GreeterState state) : Greeter.GreeterBase
{
    public ConcurrentQueue<Metadata> Calls => state.Calls;

    public override async Task<GreetReply> Greet(GreetRequest request, ServerCallContext context)
    {
        state.Calls.Enqueue(context.RequestHeaders);
        if (state.ForwardTo is not null)
            return await state.ForwardTo.GreetAsync(request, cancellationToken: context.CancellationToken);
        return new GreetReply { Message = $"Hello {request.Name}", ServedBy = state.Name };
    }

    public override Task<GreetReply> GreetAfterOutage(GreetRequest request, ServerCallContext context)
    {
        state.Calls.Enqueue(context.RequestHeaders);
        if (state.Calls.Count == 1)
            throw new RpcException(new Status(StatusCode.Unavailable, "Briefly unavailable."));
        return Task.FromResult(new GreetReply { Message = $"Hello {request.Name}", ServedBy = state.Name });
    }
}

public sealed class GreeterState(string name, Greeter.GreeterClient? forwardTo)
{
    public string Name { get; } = name;
    public Greeter.GreeterClient? ForwardTo { get; } = forwardTo;
    public ConcurrentQueue<Metadata> Calls { get; } = new();
}

public sealed class GreeterApp(TestApp app, GreeterState service, GrpcChannel? forwardChannel) : IAsyncDisposable
{
    public TestApp App { get; } = app;
    public GreeterState Service { get; } = service;

    public static async Task<GreeterApp> StartAsync(string name, Uri? forwardTo = null)
    {
        var channel = forwardTo is null ? null : GrpcChannel.ForAddress(forwardTo);
        var state = new GreeterState(name, channel is null ? null : new Greeter.GreeterClient(channel));
        var app = await TestApp.StartAsync(name, TestApp.FreePort(), new Dictionary<string, string?> { ["Chronicle:Transport"] = "direct", ["Chronicle:Dapr:AppApiToken"] = "greeter-token" },
            (services, _) => services.AddSingleton(state),
            web => web.MapGrpcService<GreeterService>());
        return new GreeterApp(app, state, channel);
    }

    public async ValueTask DisposeAsync()
    {
        forwardChannel?.Dispose();
        await App.StopAsync();
    }
}
