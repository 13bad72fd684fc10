namespace Chronicle.Contracts.IntegrationEvents;

/// <summary>
/// The stable name an integration event travels under (its CloudEvent <c>type</c>) and the topic it is published to.
/// The CLR type may be renamed or moved; the name may not. Convention: "chronicle.{service}.{event}.v{n}". A change
/// a consumer could notice is a new version with a new name, published beside the old one until consumers move.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class IntegrationEventAttribute(string name, string topic) : Attribute
{
    public string Name { get; } = name;

    public string Topic { get; } = topic;

    /// <summary>
    /// The app id of the one service that may publish this event (its CloudEvent <c>source</c>); consumers refuse it from
    /// any other. Unset for topics every service publishes to (audit entries, which their signatures bind to their
    /// emitter, and dead letters).
    /// </summary>
    public string? Owner { get; init; }
}
