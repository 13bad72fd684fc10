using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Chronicle.ServiceDefaults;

/// <summary>One step a service takes once its host has started, without writing out a hosted service for it.</summary>
public static class HostStarted
{
    /// <summary>
    /// Runs <paramref name="step"/> once every hosted service has started (listeners bound, background services running),
    /// before the host reports that it has started. A step that throws fails the start.
    /// </summary>
    public static IServiceCollection OnHostStarted(this IServiceCollection services, Action<IServiceProvider> step)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(step);
        services.AddSingleton<IHostedService>(provider => new WhenStarted(() => step(provider)));
        return services;
    }

    private sealed class WhenStarted(Action step) : IHostedLifecycleService
    {
        public Task StartedAsync(CancellationToken cancellationToken)
        {
            step();
            return Task.CompletedTask;
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
