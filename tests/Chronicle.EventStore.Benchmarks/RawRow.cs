namespace Chronicle.EventStore.Benchmarks;

/// <summary>A baseline row as read back: materialised like the store materialises an event, minus the parsing.</summary>
internal sealed record RawRow(long Id, string StreamId, byte[] Data, byte[] Metadata);
