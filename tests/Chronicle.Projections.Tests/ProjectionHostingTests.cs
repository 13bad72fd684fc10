using System.Text;
using Chronicle.EventStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Chronicle.Testing;

namespace Chronicle.Projections.Tests;

/// <summary>
/// Projections hosted the one way (<see cref="ProjectionServiceCollectionExtensions.AddProjection{TProjection}"/>) in a
/// real generic host over a real SQLite store: started and stopped with the host, found by name, rebuilt by name.
/// </summary>
public sealed class ProjectionHostingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task GivenAProjectionAddedToAHost_WhenTheHostRuns_ThenItProjectsTheLogAndStopsWithTheHost()
    {
        await using var backend = await TestStorage.CreateAsync(StorageBackend.Sqlite, new() { Name = "projections" });
        var last = await AppendAsync(backend.Events, 40);
        using var host = Build(backend);

        await host.StartAsync();
        var projection = host.Services.GetRequiredService<HostedProjection<StreamCountsProjection>>();
        await projection.WaitForAsync(last).WaitAsync(Patience);
        await host.StopAsync();

        Assert.Equal(40, (await StreamCounts.ReadAsync(backend.ReadModels)).Total);
        Assert.Same(projection, Assert.Single(host.Services.GetServices<IHostedProjection>()));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => projection.StartAsync());
    }

    [Fact]
    public async Task GivenAProjectionNotStartedWithTheHost_WhenRebuiltByName_ThenItsTablesHoldTheWholeLogAndItExitsZero()
    {
        await using var backend = await TestStorage.CreateAsync(StorageBackend.Sqlite, new() { Name = "projections" });
        await AppendAsync(backend.Events, 25);
        using var host = Build(backend, startWithHost: false);
        await host.StartAsync();
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await ProjectionRebuild.RunAsync(host.Services, "stream-counts", output, error);
        await host.StopAsync();

        Assert.Equal(0, exit);
        Assert.Equal("", error.ToString());
        Assert.Contains("Projection 'stream-counts' rebuilt", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(25, (await StreamCounts.ReadAsync(backend.ReadModels)).Total);
    }

    [Fact]
    public async Task GivenAnUnknownProjectionName_WhenRebuilt_ThenItExitsTwoNamingTheProjectionsThereAre()
    {
        await using var backend = await TestStorage.CreateAsync(StorageBackend.Sqlite, new() { Name = "projections" });
        using var host = Build(backend, startWithHost: false);
        var error = new StringWriter();

        var exit = await ProjectionRebuild.RunAsync(host.Services, "fhir", new StringWriter(), error);

        Assert.Equal(2, exit);
        Assert.Equal("No projection is named 'fhir'. This service has: stream-counts.", error.ToString().Trim());
    }

    private static IHost Build(TestStorage backend, bool startWithHost = true)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(backend.Events);
        builder.Services.AddSingleton(backend.ReadModels);
        builder.Services.AddProjection<StreamCountsProjection>(o =>
        {
            o.StartWithHost = startWithHost;
            o.Runner = new ProjectionRunnerOptions { MaxPollInterval = TimeSpan.FromMilliseconds(20) };
        });
        return builder.Build();
    }

    private static async Task<LogPosition> AppendAsync(IEventStore store, int events)
    {
        var last = LogPosition.Start;
        for (var i = 0; i < events; i++)
        {
            var result = await store.AppendAsync($"stream-{i % 4}", ExpectedVersion.Any,
                [new EventData(Guid.NewGuid(), "V1.Counted", Encoding.UTF8.GetBytes("{}"), new EventMetadata())]);
            last = result.LastLogPosition;
        }

        return last;
    }
}
