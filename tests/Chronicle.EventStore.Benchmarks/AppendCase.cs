namespace Chronicle.EventStore.Benchmarks;

/// <summary>One append workload: how many concurrent writers, each on its own stream, and how many events per append call.</summary>
internal sealed record AppendCase(int Writers, int EventsPerAppend)
{
    public string Name => EventsPerAppend == 1
        ? $"1 event/append, {Writers} writer{(Writers == 1 ? "" : "s")}"
        : $"{EventsPerAppend} events/append, {Writers} writers";

    /// <summary>A short lower-case tag usable in schema and file names.</summary>
    public string Tag => $"w{Writers}_b{EventsPerAppend}";
}
