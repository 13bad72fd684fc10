using Chronicle.EventStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chronicle.Projections;

/// <summary>A projection a service hosts, as operators and health checks see it: by name.</summary>
public interface IHostedProjection
{
    /// <summary>The projection's name (its checkpoint key), e.g. "record-fhir".</summary>
    string Name { get; }

    /// <summary>Replays the whole log into fresh tables and swaps them in while the live tables keep serving.</summary>
    Task RebuildAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts the projection in this process if it is not running, and completes once its tables hold every event
    /// appended before the call (a rebuild swaps its tables in at a position a running projection then carries on from).
    /// </summary>
    Task CatchUpAsync(CancellationToken cancellationToken = default);

    Task<ProjectionLag> GetLagAsync(CancellationToken cancellationToken = default);
}

/// <summary>How a service hosts one projection.</summary>
public sealed class ProjectionHostingOptions<TProjection>
    where TProjection : class, IProjection
{
    /// <summary>Start the projection with the host (the default). Off for a host that only rebuilds, or starts it itself.</summary>
    public bool StartWithHost { get; set; } = true;

    public ProjectionRunnerOptions Runner { get; set; } = new();
}

/// <summary>
/// One projection of the service's event store into its read-model database (both registered by the host), with its
/// runner: started and stopped with the host, awaited for read-your-writes, rebuilt by name. What a service used to
/// write an adapter for.
/// </summary>
public sealed class HostedProjection<TProjection> : IHostedProjection, IAsyncDisposable
    where TProjection : class, IProjection
{
    private readonly IEventStore _store;
    private readonly ProjectionRunner _runner;
    private readonly SemaphoreSlim _starting = new(1, 1);
    private bool _started;
    private int _disposed;

    public HostedProjection(IEventStore store, ReadModelDatabase database, TProjection projection, ProjectionRunnerOptions? options = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        Projection = projection ?? throw new ArgumentNullException(nameof(projection));
        _runner = new ProjectionRunner(store, database, projection, options);
    }

    public TProjection Projection { get; }

    public string Name => Projection.Name;

    /// <summary>The last log position whose effects the tables hold.</summary>
    public LogPosition Checkpoint => _runner.Checkpoint;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _runner.StartAsync(cancellationToken).ConfigureAwait(false);
            _started = true;
        }
        finally
        {
            _starting.Release();
        }
    }

    public async Task CatchUpAsync(CancellationToken cancellationToken = default)
    {
        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_started)
            {
                await _runner.StartAsync(cancellationToken).ConfigureAwait(false);
                _started = true;
            }
        }
        finally
        {
            _starting.Release();
        }

        // The end of the log as it is now: read on from the projection's own checkpoint, so only its lag is read.
        var end = (await _runner.GetLagAsync(cancellationToken).ConfigureAwait(false)).Checkpoint;
        while (await _store.ReadAllAsync(end, EventStoreLimits.MaxReadCount, cancellationToken).ConfigureAwait(false) is { Count: > 0 } page)
            end = page[^1].LogPosition;
        await _runner.WaitForAsync(end, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes once the tables include the event at <paramref name="position"/>.</summary>
    public Task WaitForAsync(LogPosition position, CancellationToken cancellationToken = default) => _runner.WaitForAsync(position, cancellationToken);

    public Task RebuildAsync(CancellationToken cancellationToken = default) => _runner.RebuildAsync(cancellationToken);

    public Task<ProjectionLag> GetLagAsync(CancellationToken cancellationToken = default) => _runner.GetLagAsync(cancellationToken);

    /// <summary>Stops the projection. Safe to call more than once (the host's shutdown and the container both may).</summary>
    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _disposed, 1) == 0 ? _runner.DisposeAsync() : ValueTask.CompletedTask;
}

public static class ProjectionServiceCollectionExtensions
{
    /// <summary>
    /// Hosts <typeparamref name="TProjection"/>: a <see cref="HostedProjection{TProjection}"/> over the registered
    /// <see cref="IEventStore"/> and <see cref="ReadModelDatabase"/>, started with the host unless configured otherwise,
    /// and listed as an <see cref="IHostedProjection"/> for <see cref="ProjectionRebuild"/>.
    /// </summary>
    public static IServiceCollection AddProjection<TProjection>(this IServiceCollection services,
        Action<ProjectionHostingOptions<TProjection>>? configure = null)
        where TProjection : class, IProjection
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ProjectionHostingOptions<TProjection>>();
        if (configure is not null)
            options.Configure(configure);
        services.TryAddSingleton<TProjection>();
        services.TryAddSingleton(provider =>
        {
            var hosting = provider.GetRequiredService<IOptions<ProjectionHostingOptions<TProjection>>>().Value;
            var runner = hosting.Runner with
            {
                Logger = hosting.Runner.Logger ?? provider.GetService<ILoggerFactory>()?.CreateLogger<TProjection>(),
            };
            return new HostedProjection<TProjection>(provider.GetRequiredService<IEventStore>(), provider.GetRequiredService<ReadModelDatabase>(),
                provider.GetRequiredService<TProjection>(), runner);
        });
        services.AddSingleton<IHostedProjection>(provider => provider.GetRequiredService<HostedProjection<TProjection>>());
        services.AddHostedService<ProjectionHostService<TProjection>>();
        return services;
    }
}

/// <summary>Starts a hosted projection with the host and stops it with the host.</summary>
internal sealed class ProjectionHostService<TProjection>(HostedProjection<TProjection> projection, IOptions<ProjectionHostingOptions<TProjection>> options)
    : IHostedService
    where TProjection : class, IProjection
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.StartWithHost ? projection.StartAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => projection.DisposeAsync().AsTask();
}

/// <summary>
/// The operator's rebuild of one projection by name (<c>rebuild --projection NAME</c>): the whole log replayed into fresh
/// tables, swapped in at the end in one transaction, while a running service keeps reading and updating the live ones.
/// </summary>
public static class ProjectionRebuild
{
    /// <summary>Exit code 0 when rebuilt; 2 when no projection has that name (the names are listed).</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string name, TextWriter output, TextWriter error,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var projections = services.GetServices<IHostedProjection>().ToList();
        if (projections.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal)) is not { } projection)
        {
            await error.WriteLineAsync($"No projection is named '{name}'. This service has: {string.Join(", ", projections.Select(p => p.Name))}.")
                .ConfigureAwait(false);
            return 2;
        }

        await output.WriteLineAsync($"Rebuilding projection '{projection.Name}' from the start of the log...").ConfigureAwait(false);
        await projection.RebuildAsync(cancellationToken).ConfigureAwait(false);
        await projection.CatchUpAsync(cancellationToken).ConfigureAwait(false);
        var lag = await projection.GetLagAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Projection '{projection.Name}' rebuilt, swapped in and caught up ({lag.EventsBehind} events behind).")
            .ConfigureAwait(false);
        return 0;
    }
}
