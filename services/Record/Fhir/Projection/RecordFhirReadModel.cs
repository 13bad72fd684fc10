using Chronicle.EventStore;
using Chronicle.Projections;

using Chronicle.Record.Fhir.Api;

namespace Chronicle.Record.Fhir.Projection;

/// <summary>
/// The Record's FHIR read side: the projection (hosted by libs/Projections) and the queries over its tables. The host
/// starts it (or lets <see cref="RecordFhirServiceCollectionExtensions.AddRecordFhir"/> do so) and can await
/// <see cref="WaitForAsync"/> with an append's position before replying to a command, so the caller's next FHIR read sees
/// its own write.
/// </summary>
public sealed class RecordFhirReadModel : IAsyncDisposable
{
    private readonly HostedProjection<RecordFhirProjection> _runner;

    public RecordFhirReadModel(IEventStore store, ReadModelDatabase database, HostedProjection<RecordFhirProjection> projection)
    {
        Store = store ?? throw new ArgumentNullException(nameof(store));
        ArgumentNullException.ThrowIfNull(database);
        _runner = projection ?? throw new ArgumentNullException(nameof(projection));
        Queries = new RecordFhirQueries(database);
    }

    /// <summary>A read side of its own, outside a host (benchmarks, tools).</summary>
    public RecordFhirReadModel(IEventStore store, ReadModelDatabase database, ProjectionRunnerOptions? options = null)
        : this(store, database, new HostedProjection<RecordFhirProjection>(store, database, new RecordFhirProjection(), options))
    {
    }

    public IEventStore Store { get; }

    public RecordFhirQueries Queries { get; }

    /// <summary>The last log position whose effects the FHIR tables hold.</summary>
    public LogPosition Checkpoint => _runner.Checkpoint;

    public Task StartAsync(CancellationToken cancellationToken = default) => _runner.StartAsync(cancellationToken);

    /// <summary>Completes once the FHIR tables include the event at <paramref name="position"/>.</summary>
    public Task WaitForAsync(LogPosition position, CancellationToken cancellationToken = default) =>
        _runner.WaitForAsync(position, cancellationToken);

    /// <summary>Replays the whole log into fresh tables and swaps them in; readers are never without tables.</summary>
    public Task RebuildAsync(CancellationToken cancellationToken = default) => _runner.RebuildAsync(cancellationToken);

    public Task<ProjectionLag> GetLagAsync(CancellationToken cancellationToken = default) => _runner.GetLagAsync(cancellationToken);

    /// <summary>Stops the projection. Safe to call more than once (the host's shutdown and the container both may).</summary>
    public ValueTask DisposeAsync() => _runner.DisposeAsync();
}
