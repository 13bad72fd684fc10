namespace Chronicle.Messaging.Direct;

/// <summary>Draws the direct transport's injected faults (see <see cref="FaultInjectionOptions"/>).</summary>
internal sealed class FaultInjector(FaultInjectionOptions options)
{
    private readonly Random _random = options.Seed is { } seed ? new Random(seed) : new Random();
    private readonly Lock _gate = new();

    public bool FailsBeforeDelivery() => Chance(options.TransientFailureRate / 2);

    public bool LosesAcknowledgement() => Chance(options.TransientFailureRate / 2);

    public bool Duplicates() => Chance(options.DuplicateRate);

    public int BatchSize => Math.Max(1, options.ReorderWindow);

    public void Reorder<T>(List<T> batch)
    {
        if (options.ReorderWindow <= 1)
            return;
        lock (_gate)
        {
            for (var i = batch.Count - 1; i > 0; i--)
            {
                var j = _random.Next(i + 1);
                (batch[i], batch[j]) = (batch[j], batch[i]);
            }
        }
    }

    public TimeSpan NextDelay() => options.MaxDelay <= TimeSpan.Zero ? TimeSpan.Zero : options.MaxDelay * NextDouble();

    public double NextDouble()
    {
        lock (_gate)
            return _random.NextDouble();
    }

    private bool Chance(double probability) => probability > 0 && NextDouble() < probability;
}
