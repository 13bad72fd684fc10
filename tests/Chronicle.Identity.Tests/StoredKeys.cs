using System.Data.Common;
using System.Security.Cryptography;
using System.Text;

namespace Chronicle.Identity.Tests;

/// <summary>Identity's token keys as its database holds them.</summary>
public static class StoredKeys
{
    /// <summary>Stored material that is not a private key: not PKCS#8, no PEM, not the raw 32-byte AES key, and marked encrypted.</summary>
    public static void AssertNotInClear(StoredKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Assert.True(key.Protected, $"Key {key.KeyId} is not marked encrypted.");
        Assert.False(PemEncoding.TryFind(Encoding.UTF8.GetString(key.Material), out _), $"Key {key.KeyId} holds PEM.");
        using var rsa = RSA.Create();
        Assert.ThrowsAny<CryptographicException>(() => rsa.ImportPkcs8PrivateKey(key.Material, out _));
        Assert.NotEqual(32, key.Material.Length);
    }

    public sealed record StoredKey(string KeyId, string Use, byte[] Material, bool Protected);

    public static async Task<List<StoredKey>> ReadAsync(DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = "select \"KeyId\", \"Use\", \"KeyMaterial\", \"Protected\" from signing_keys order by \"KeyId\"";
        await using var reader = await command.ExecuteReaderAsync();
        var keys = new List<StoredKey>();
        while (await reader.ReadAsync())
            keys.Add(new StoredKey(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2), reader.GetBoolean(3)));
        return keys;
    }
}
