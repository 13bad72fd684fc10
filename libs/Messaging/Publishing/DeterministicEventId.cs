using System.Security.Cryptography;
using System.Text;

namespace Chronicle.Messaging.Publishing;

/// <summary>
/// Name-based ids (RFC 9562 UUID version 5): the same name always gives the same id, so an event published again after a
/// crash carries the id it had the first time and consumers' inboxes drop the repeat.
/// </summary>
public static class DeterministicEventId
{
    private static readonly Guid ChronicleNamespace = new("0c7b5d3e-8a1f-5b2c-9d4e-6f7a8b9c0d1e");

    /// <summary>The CloudEvent id of the integration event of <paramref name="integrationEventType"/> announcing a domain event.</summary>
    public static string ForIntegrationEvent(Guid sourceEventId, string integrationEventType) =>
        FromName($"{sourceEventId:D}|{integrationEventType}").ToString("D");

    public static Guid FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var input = new byte[16 + Encoding.UTF8.GetByteCount(name)];
        ChronicleNamespace.TryWriteBytes(input, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, input.AsSpan(16));
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
