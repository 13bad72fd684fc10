namespace Chronicle.EventStore.Benchmarks;

/// <summary>A database the comparison runs on: makes a fresh store and a fresh baseline table per case.</summary>
internal interface IBenchmarkBackend : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Version, settings and durability facts printed above the backend's table.</summary>
    IReadOnlyList<string> Description { get; }

    Task<IAppendTarget> CreateStoreAsync(string tag);

    Task<IAppendTarget> CreateBaselineAsync(string tag);

    /// <summary>Brings the database to a comparable state before each measurement (e.g. a checkpoint).</summary>
    Task SettleAsync();
}
