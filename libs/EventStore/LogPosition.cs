namespace Chronicle.EventStore;

/// <summary>
/// A place in the global log. The log is ordered by (<see cref="Transaction"/>, <see cref="Position"/>):
/// <see cref="Transaction"/> orders the committing transactions (on PostgreSQL the writer's transaction id,
/// which is what makes gap-free reading possible; see PostgresEventStore), <see cref="Position"/> is the
/// event's unique global position and orders events inside one transaction. Consumers keep the whole
/// pair as their checkpoint.
/// </summary>
public readonly record struct LogPosition(long Transaction, long Position) : IComparable<LogPosition>
{
    /// <summary>Before the first event: reading after it yields the whole log.</summary>
    public static LogPosition Start { get; } = new(0, 0);

    public int CompareTo(LogPosition other)
    {
        var byTransaction = Transaction.CompareTo(other.Transaction);
        return byTransaction != 0 ? byTransaction : Position.CompareTo(other.Position);
    }

    public static bool operator <(LogPosition left, LogPosition right) => left.CompareTo(right) < 0;
    public static bool operator >(LogPosition left, LogPosition right) => left.CompareTo(right) > 0;
    public static bool operator <=(LogPosition left, LogPosition right) => left.CompareTo(right) <= 0;
    public static bool operator >=(LogPosition left, LogPosition right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Transaction}/{Position}";
}
