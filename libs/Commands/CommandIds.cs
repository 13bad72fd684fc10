using System.Security.Cryptography;
using System.Text;

namespace Chronicle.Commands;

/// <summary>
/// Ids derived from a command's id (name-based UUIDs, RFC 9562 version 5), so re-sending a command
/// produces the very same events and the event store recognises them instead of storing them twice.
/// Event ids are laid out for index locality (<see cref="TimeOrdered"/>).
/// </summary>
public static class CommandIds
{
    /// <summary>The id of the command's <paramref name="index"/>th event (0 for its first).</summary>
    public static Guid Event(Guid commandId, int index) => TimeOrdered(commandId, $"event/{index}");

    /// <summary>
    /// A name-based id like <see cref="Create"/>, laid out as a version 8 UUID (RFC 9562 section 5.8): its first 48 bits
    /// are the namespace id's first 48 bits, which are a millisecond timestamp when the namespace is a version 7 UUID,
    /// and its other 74 free bits come from the name-based hash. Still deterministic; and when command ids are version
    /// 7, the events of later commands sort after those of earlier ones, so the event store's unique index on event ids
    /// is appended to at its right edge rather than written at random pages (a large cost on every commit).
    /// </summary>
    public static Guid TimeOrdered(Guid namespaceId, string name)
    {
        Span<byte> bytes = stackalloc byte[16];
        Create(namespaceId, name).TryWriteBytes(bytes, bigEndian: true, out _);
        Span<byte> prefix = stackalloc byte[16];
        namespaceId.TryWriteBytes(prefix, bigEndian: true, out _);
        prefix[..6].CopyTo(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

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
