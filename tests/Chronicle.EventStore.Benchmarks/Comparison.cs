using Chronicle.Testing;

namespace Chronicle.EventStore.Benchmarks;

internal sealed record AppendComparison(AppendCase Case, AppendMeasurement Store, AppendMeasurement Baseline)
{
    public double Ratio => Store.EventsPerSecond / Baseline.EventsPerSecond;
}

internal sealed record CatchUpComparison(int Events, CatchUpMeasurement Store, CatchUpMeasurement Baseline)
{
    public double Ratio => Store.EventsPerSecond / Baseline.EventsPerSecond;
}

internal sealed record BackendResult(string Backend, IReadOnlyList<string> Description,
    IReadOnlyList<AppendComparison> Appends, CatchUpComparison CatchUp);

/// <summary>
/// Runs every case on one backend. Store and baseline get fresh tables per case; each side is settled
/// (e.g. checkpointed) before its warm-up, then the sides are measured in alternating windows
/// (store, baseline, baseline, store, ...), so background load drifting over the run hits both alike.
/// </summary>
internal static class Comparison
{
    private static readonly TimeSpan LeadIn = TimeSpan.FromSeconds(0.25);

    public static async Task<BackendResult> RunAsync(IBenchmarkBackend backend, BenchmarkSettings settings, TextWriter progress)
    {
        var appends = new List<AppendComparison>();
        foreach (var appendCase in settings.AppendCases)
        {
            var comparison = await CompareAppendsAsync(backend, appendCase, settings);
            appends.Add(comparison);
            progress.WriteLine($"  {backend.Name} {appendCase.Name}: store {comparison.Store.EventsPerSecond:N0} ev/s, " +
                $"baseline {comparison.Baseline.EventsPerSecond:N0} ev/s, ratio {comparison.Ratio:P0}");
        }

        var catchUp = await CompareCatchUpAsync(backend, settings);
        progress.WriteLine($"  {backend.Name} catch-up: store {catchUp.Store.EventsPerSecond:N0} ev/s, " +
            $"baseline {catchUp.Baseline.EventsPerSecond:N0} ev/s, ratio {catchUp.Ratio:P0}");
        return new BackendResult(backend.Name, backend.Description, appends, catchUp);
    }

    private static async Task<AppendComparison> CompareAppendsAsync(IBenchmarkBackend backend, AppendCase appendCase, BenchmarkSettings settings)
    {
        await using var store = await backend.CreateStoreAsync(appendCase.Tag);
        await using var baseline = await backend.CreateBaselineAsync(appendCase.Tag);
        var storeWriters = CreateWriters(store, appendCase);
        var baselineWriters = CreateWriters(baseline, appendCase);
        var storeWindows = new List<LatencyWindow>();
        var baselineWindows = new List<LatencyWindow>();
        var window = settings.Measure / settings.Rounds;
        for (var round = 0; round < settings.Rounds; round++)
        {
            foreach (var side in TurnsIn(round))
            {
                if (round == 0)
                    await backend.SettleAsync();
                var leadIn = round == 0 ? settings.Warmup : LeadIn;
                var measured = await AppendLoad.RunAsync(side == Side.Store ? storeWriters : baselineWriters, leadIn, window);
                (side == Side.Store ? storeWindows : baselineWindows).Add(measured);
            }
        }

        return new AppendComparison(appendCase,
            AppendMeasurement.Combine(storeWindows, appendCase.EventsPerAppend),
            AppendMeasurement.Combine(baselineWindows, appendCase.EventsPerAppend));
    }

    private static async Task<CatchUpComparison> CompareCatchUpAsync(IBenchmarkBackend backend, BenchmarkSettings settings)
    {
        await using var store = await backend.CreateStoreAsync("catchup");
        await using var baseline = await backend.CreateBaselineAsync("catchup");
        await CatchUpRead.FillAsync(store, settings.CatchUpEvents, settings.PageSize);
        await CatchUpRead.FillAsync(baseline, settings.CatchUpEvents, settings.PageSize);
        await backend.SettleAsync();

        var storeRead = new CatchUpMeasurement(0, TimeSpan.Zero, 0);
        var baselineRead = storeRead;
        for (var round = 0; storeRead.Elapsed < settings.Measure || baselineRead.Elapsed < settings.Measure; round++)
        {
            foreach (var side in TurnsIn(round))
            {
                if (side == Side.Store)
                    storeRead = await CatchUpRead.ReadPassAsync(store, settings.PageSize, storeRead);
                else
                    baselineRead = await CatchUpRead.ReadPassAsync(baseline, settings.PageSize, baselineRead);
            }
        }

        return new CatchUpComparison(settings.CatchUpEvents, storeRead, baselineRead);
    }

    private enum Side
    {
        Store,
        Baseline,
    }

    /// <summary>Store first in even rounds, baseline first in odd ones.</summary>
    private static Side[] TurnsIn(int round) => round % 2 == 0 ? [Side.Store, Side.Baseline] : [Side.Baseline, Side.Store];

    private static IAppendWriter[] CreateWriters(IAppendTarget target, AppendCase appendCase) =>
        Enumerable.Range(0, appendCase.Writers).Select(i => target.CreateWriter(i, appendCase.EventsPerAppend)).ToArray();
}
