namespace Chronicle.Record.Domain;

/// <summary>
/// The record's ids derived from a command's id (libs/Commands' <see cref="CommandIds"/>), so re-sending a command
/// produces the very same events, encounters and entries, and the event store recognises them instead of storing them twice.
/// </summary>
public static class DerivedIds
{
    public static Guid Event(Guid commandId, int index) => CommandIds.Event(commandId, index);

    public static Guid NhsNumberReservation(Guid commandId) => Create(commandId, "nhs-number-reservation");

    public static PatientId Patient(Guid commandId) => new(Create(commandId, "patient"));

    public static Guid Encounter(Guid commandId) => Create(commandId, "encounter");

    public static Guid Entry(Guid commandId, int index) => Create(commandId, $"entry/{index}");

    /// <summary>See <see cref="CommandIds.TimeOrdered"/>.</summary>
    public static Guid TimeOrdered(Guid namespaceId, string name) => CommandIds.TimeOrdered(namespaceId, name);

    /// <summary>A version 5 UUID of <paramref name="name"/> within <paramref name="namespaceId"/> (<see cref="CommandIds.Create"/>).</summary>
    public static Guid Create(Guid namespaceId, string name) => CommandIds.Create(namespaceId, name);
}
