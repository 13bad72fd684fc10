using System.Security.Cryptography;
using System.Text;

namespace Chronicle.Record.Domain;

/// <summary>
/// Ids derived from a command's id (name-based UUIDs, RFC 9562 version 5), so re-sending a command
/// produces the very same events and the event store recognises them instead of storing them twice.
/// </summary>
public static class DerivedIds
{
    public static Guid Event(Guid commandId, int index) => Create(commandId, $"event/{index}");

    public static Guid NhsNumberReservation(Guid commandId) => Create(commandId, "nhs-number-reservation");

    public static PatientId Patient(Guid commandId) => new(Create(commandId, "patient"));

    public static Guid Encounter(Guid commandId) => Create(commandId, "encounter");

    public static Guid Entry(Guid commandId, int index) => Create(commandId, $"entry/{index}");

    /// <summary>A version 5 UUID of <paramref name="name"/> within <paramref name="namespaceId"/>.</summary>
    public static Guid Create(Guid namespaceId, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + nameBytes.Length];
        namespaceId.TryWriteBytes(input, bigEndian: true, out _);
        nameBytes.CopyTo(input, 16);

        // SHA-1 is what version 5 UUIDs are defined with; it serves as a naming function here, not for security.
#pragma warning disable CA5350
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
