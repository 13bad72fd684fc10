using Chronicle.ServiceDefaults;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Chronicle.Identity.Hosting;
using Chronicle.Identity.Keys;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Chronicle.Identity.Tests;

/// <summary>Token keys are encrypted at rest, under a data-protection key ring that the key-encryption certificate encrypts.</summary>
public sealed class KeyEncryptionTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "chronicle-identity-tests", Guid.NewGuid().ToString("N"));

    public KeyEncryptionTests() => System.IO.Directory.CreateDirectory(_directory);

    [Fact]
    public async Task GivenAKeyEncryptionCertificate_WhenIdentityHasStoredItsKeys_ThenNoPrivateKeyOrKeyRingSecretIsInClearInTheDatabase()
    {
        await using (await IdentityInstance.StartAsync(WithCertificate("kek")!, dataDirectory: DataDirectory))
        {
        }

        var keys = await StoredKeysAsync();
        Assert.Contains(keys, k => k.Use == "sig");
        Assert.Contains(keys, k => k.Use == "enc");
        Assert.All(keys, StoredKeys.AssertNotInClear);
        var ring = await StoredDataProtectionKeysAsync(DataDirectory);
        Assert.NotEmpty(ring);
        Assert.All(ring, xml =>
        {
            Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task GivenEncryptedKeys_WhenIdentityRestartsWithTheSameCertificate_ThenOldTokensValidateAndKeysStillRotate()
    {
        var settings = WithCertificate("kek")!;
        string before;
        string activeBefore;
        await using (var first = await IdentityInstance.StartAsync(settings, dataDirectory: DataDirectory))
        {
            before = (await new OAuthTestClient(first.Http).ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret)).AccessToken;
            activeBefore = first.Services.GetRequiredService<SigningKeyRing>().ActiveKeyId;
            settings["Chronicle:Ports:Http"] = first.Http.Port.ToString(CultureInfo.InvariantCulture);
        }

        await using var second = await IdentityInstance.StartAsync(settings, dataDirectory: DataDirectory);
        await using var service = await ProtectedService.StartAsync(second);
        var ring = second.Services.GetRequiredService<SigningKeyRing>();
        Assert.Equal(activeBefore, ring.ActiveKeyId);
        await ring.RotateAsync();
        var after = (await new OAuthTestClient(second.Http).ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret)).AccessToken;

        Assert.NotEqual(new JsonWebToken(before).Kid, new JsonWebToken(after).Kid);
        Assert.Equal(200, await KeyRotationTests.ReadPatientAsync(service, before));
        Assert.Equal(200, await KeyRotationTests.ReadPatientAsync(service, after));
        Assert.All(await StoredKeysAsync(), StoredKeys.AssertNotInClear);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GivenKeysEncryptedUnderACertificate_WhenIdentityStartsWithoutItOrWithAnother_ThenItRefusesAndChangesNoKey(bool another)
    {
        var right = WithCertificate("kek")!;
        string active;
        await using (var first = await IdentityInstance.StartAsync(right, dataDirectory: DataDirectory))
            active = first.Services.GetRequiredService<SigningKeyRing>().ActiveKeyId;
        var keysBefore = (await StoredKeysAsync()).Select(k => (k.KeyId, Convert.ToHexString(k.Material))).ToList();
        var ringBefore = await StoredDataProtectionKeysAsync(DataDirectory);

        var refused = await Assert.ThrowsAsync<ServiceConfigurationException>(
            () => IdentityInstance.StartAsync(another ? WithCertificate("another-kek") : null, dataDirectory: DataDirectory));

        Assert.Contains(KeyEncryptionOptions.Section, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.Equal(keysBefore, (await StoredKeysAsync()).Select(k => (k.KeyId, Convert.ToHexString(k.Material))).ToList());
        Assert.Equal(ringBefore, await StoredDataProtectionKeysAsync(DataDirectory));
        await using var again = await IdentityInstance.StartAsync(right, dataDirectory: DataDirectory);
        Assert.Equal(active, again.Services.GetRequiredService<SigningKeyRing>().ActiveKeyId);
    }

    [Fact]
    public async Task GivenANewKeyEncryptionCertificate_WhenTheOldOneIsKeptAsPrevious_ThenIdentityStartsWithTheSameKeysAndOnlyTheNewOneIsNotEnough()
    {
        string active;
        await using (var first = await IdentityInstance.StartAsync(WithCertificate("old-kek")!, dataDirectory: DataDirectory))
            active = first.Services.GetRequiredService<SigningKeyRing>().ActiveKeyId;
        var rotating = WithCertificate("new-kek")!;
        foreach (var (name, value) in WithCertificate("old-kek")!)
            rotating[name.Replace(KeyEncryptionOptions.Section, $"{KeyEncryptionOptions.Section}:Previous:0", StringComparison.Ordinal)] = value;

        await using (var second = await IdentityInstance.StartAsync(rotating, dataDirectory: DataDirectory))
            Assert.Equal(active, second.Services.GetRequiredService<SigningKeyRing>().ActiveKeyId);

        // The data-protection key the old certificate encrypted is in use until it expires.
        await Assert.ThrowsAsync<ServiceConfigurationException>(() => IdentityInstance.StartAsync(WithCertificate("new-kek"), dataDirectory: DataDirectory));
    }

    [Fact]
    public async Task GivenANewDataProtectionKey_WhenTheKeysReload_ThenTokenKeysAreEncryptedUnderItAndTheOldKeyIsNoLongerNeeded()
    {
        var settings = WithCertificate("kek")!;
        string active;
        List<StoredKeys.StoredKey> before;
        await using (var identity = await IdentityInstance.StartAsync(settings, dataDirectory: DataDirectory))
        {
            var ring = identity.Services.GetRequiredService<SigningKeyRing>();
            active = ring.ActiveKeyId;
            before = await StoredKeysAsync();
            identity.Services.GetRequiredService<IKeyManager>().CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
            // Data protection refreshes its cached key ring in the background: the periodic reload meets the new key soon after.
            for (var reload = 0; reload < 100 && (await StoredKeysAsync()).Select(k => k.Material).SequenceEqual(before.Select(k => k.Material), ByteArrays); reload++)
            {
                await Task.Delay(100);
                await ring.LoadAsync();
            }
        }

        var after = await StoredKeysAsync();
        Assert.Equal(before.Select(k => k.KeyId), after.Select(k => k.KeyId));
        Assert.All(before.Zip(after), pair => Assert.NotEqual(pair.First.Material, pair.Second.Material));
        await using (var connection = Open(DataDirectory))
        {
            await using var forget = connection.CreateCommand();
            forget.CommandText = "delete from data_protection_keys where \"Id\" = (select min(\"Id\") from data_protection_keys)";
            Assert.Equal(1, await forget.ExecuteNonQueryAsync());
        }

        await using var restarted = await IdentityInstance.StartAsync(settings, dataDirectory: DataDirectory);
        Assert.Equal(active, restarted.Services.GetRequiredService<SigningKeyRing>().ActiveKeyId);
    }

    [Fact]
    public async Task GivenACertificatePathThatDoesNotExist_WhenIdentityStarts_ThenItSaysWhichSettingIsWrong()
    {
        var settings = new Dictionary<string, string?> { [$"{KeyEncryptionOptions.Section}:CertificatePath"] = Path.Combine(_directory, "missing.pem") };

        var refused = await Assert.ThrowsAsync<ServiceConfigurationException>(() => IdentityInstance.StartAsync(settings, dataDirectory: DataDirectory));

        Assert.Contains($"{KeyEncryptionOptions.Section}:CertificatePath", refused.Message, StringComparison.Ordinal);
    }

    private static readonly IEqualityComparer<byte[]> ByteArrays = EqualityComparer<byte[]>.Create(
        (a, b) => a.AsSpan().SequenceEqual(b), a => a.Length);

    private string DataDirectory => Path.Combine(_directory, "data");

    private async Task<List<StoredKeys.StoredKey>> StoredKeysAsync()
    {
        await using var connection = Open(DataDirectory);
        return await StoredKeys.ReadAsync(connection);
    }

    private static async Task<List<string>> StoredDataProtectionKeysAsync(string dataDirectory)
    {
        await using var connection = Open(dataDirectory);
        await using var command = connection.CreateCommand();
        command.CommandText = "select \"Xml\" from data_protection_keys order by \"Id\"";
        await using var reader = await command.ExecuteReaderAsync();
        var xml = new List<string>();
        while (await reader.ReadAsync())
            xml.Add(reader.GetString(0));
        return xml;
    }

    private static SqliteConnection Open(string dataDirectory)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "identity.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>Settings naming a PEM certificate and key made once per name in this test's folder, as a Kubernetes TLS secret mounts them.</summary>
    private Dictionary<string, string?>? WithCertificate(string name)
    {
        var certificatePath = Path.Combine(_directory, $"{name}.crt");
        var keyPath = Path.Combine(_directory, $"{name}.key");
        if (!File.Exists(certificatePath))
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
            File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        }

        return new Dictionary<string, string?>
        {
            [$"{KeyEncryptionOptions.Section}:CertificatePath"] = certificatePath,
            [$"{KeyEncryptionOptions.Section}:PrivateKeyPath"] = keyPath,
        };
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (System.IO.Directory.Exists(_directory))
            System.IO.Directory.Delete(_directory, recursive: true);
    }
}
