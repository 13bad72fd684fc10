namespace Chronicle.Projections;

/// <summary>What a read-model commit must survive before it returns.</summary>
public enum WriteDurability
{
    /// <summary>
    /// Synced to disk before the commit returns: it survives a power cut. For state nothing else can restore: an inbox
    /// whose delivery is acknowledged once committed, a delivery queue, anything acknowledged to a caller.
    /// </summary>
    Durable,

    /// <summary>
    /// Survives the process crashing but not a power cut or an operating-system crash, which can take the latest such
    /// commits (a suffix, never part of one; never one committed before a durable commit). Only for state derived from a
    /// durable log together with its checkpoint, such as a projection's tables: what is lost is applied again from the
    /// log. It saves a disk sync per commit, which a follower of a busy log would otherwise pay once per batch.
    /// </summary>
    Rebuildable,
}
