using Chronicle.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chronicle.Record.Host.Tests;

/// <summary>The shared host's "once started" step (libs/ServiceDefaults), as the private data directory and Identity's issuer use it.</summary>
public sealed class HostStartedTests
{
    [Fact]
    public async Task GivenAStepAndAHostedService_WhenTheHostStarts_ThenTheStepRunsOnceAfterTheServiceStartedAndBeforeStartReturns()
    {
        var happened = new List<string>();
        using var host = Build(services => services
            .OnHostStarted(provider => happened.Add($"step sees {provider.GetRequiredService<Recorder>().Started}"))
            .AddSingleton(new Recorder(happened)).AddHostedService(provider => provider.GetRequiredService<Recorder>()));

        await host.StartAsync();
        happened.Add("start returned");
        await host.StopAsync();

        Assert.Equal(["service started", "step sees True", "start returned"], happened);
    }

    [Fact]
    public async Task GivenAStepThatThrows_WhenTheHostStarts_ThenTheStartFailsWithIt()
    {
        using var host = Build(services => services.OnHostStarted(_ => throw new InvalidOperationException("cannot narrow the data directory")));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("cannot narrow the data directory", error.ToString(), StringComparison.Ordinal);
    }

    private static IHost Build(Action<IServiceCollection> configure)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        configure(builder.Services);
        return builder.Build();
    }

    private sealed class Recorder(List<string> happened) : IHostedService
    {
        public bool Started { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Started = true;
            happened.Add("service started");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
