using System.Text.Json;
using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.EventStore;
using Microsoft.Extensions.Configuration;

namespace Chronicle.Auditing.Tests;

/// <summary>
/// An emitter signs each audit entry as it leaves its outbox; the Audit service accepts it only with a valid signature by
/// a key of the service the entry names. Every way of getting that wrong has its own reason.
/// </summary>
public sealed class AuditSigningTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("chronicle-audit-signing-").FullName;
    private readonly AuditSigningKey _record = AuditSigningKey.Generate();
    private readonly AuditSigningKey _identity = AuditSigningKey.Generate();

    private static AuditEntry Entry => new()
    {
        EntryId = Guid.CreateVersion7(),
        OccurredAt = new DateTimeOffset(2026, 12, 7, 1, 2, 3, TimeSpan.Zero).AddTicks(1234567),
        Service = "record",
        UserId = "G8123456",
        Role = "GP",
        OrganisationOds = "A81001",
        PatientId = "9f6c1a52-0000-4000-8000-000000000001",
        Action = AuditAction.Read,
        ResourceType = "Patient",
        ResourceId = "9f6c1a52-0000-4000-8000-000000000001",
        Outcome = 200,
        AccessGrounds = "registered-practice",
    };

    private AuditEmitterKeys Trusted => new AuditEmitterKeys().Add("record", _record.PublicKey).Add("identity", _identity.PublicKey);

    [Fact]
    public void GivenAnOutboxEntry_WhenTheRelayMapsIt_ThenTheEventCarriesASignatureThatVerifiesAfterTheWire()
    {
        var entry = Entry;
        var stored = new RecordedEvent(EventStoreAuditTrail.OutboxStream, 0, 1, 1, entry.EntryId, EventStoreAuditTrail.EventType,
            AuditCanonicalForm.ToBytes(entry), new EventMetadata(), DateTimeOffset.UtcNow);

        var message = Assert.IsType<AuditIntegrationEventsV1.AuditEntryRecorded>(Assert.Single(AuditEntryMessages.Map(stored, _record)));
        var json = JsonSerializer.Serialize(message, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded);
        var delivered = JsonSerializer.Deserialize(json, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)!;

        Assert.Equal(_record.KeyId, delivered.KeyId);
        Assert.Null(Trusted.Check(AuditEntryMessages.FromIntegrationEvent(delivered), AuditEntryMessages.SignatureOf(delivered)));
    }

    [Fact]
    public void GivenAnEventFromAnEmitterThatPredatesSignatures_WhenReceived_ThenItStillReadsAndIsRefusedAsUnsigned()
    {
        var signed = AuditEntryMessages.ToIntegrationEvent(_record.Sign(Entry));
        var older = JsonSerializer.Serialize(signed with { KeyId = null, Signature = null }, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)
            .Replace(""","keyId":null,"signature":null""", "", StringComparison.Ordinal);

        var read = JsonSerializer.Deserialize(older, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)!;

        Assert.DoesNotContain("signature", older, StringComparison.Ordinal);
        Assert.Null(AuditEntryMessages.SignatureOf(read));
        Assert.Contains("carries no emitter signature", Trusted.Check(AuditEntryMessages.FromIntegrationEvent(read), null), StringComparison.Ordinal);
    }

    [Fact]
    public void GivenEachWayAnEntryCanBeForged_WhenChecked_ThenEachIsRefusedWithItsReason()
    {
        var entry = Entry;
        using var stranger = AuditSigningKey.Generate();
        var genuine = _record.Sign(entry).Signature;

        Assert.Null(Trusted.Check(entry, genuine));
        Assert.Contains("carries no emitter signature", Trusted.Check(entry, null), StringComparison.Ordinal);
        Assert.Contains("not a key of any trusted emitter", Trusted.Check(entry, stranger.Sign(entry).Signature), StringComparison.Ordinal);
        Assert.Contains("belongs to 'identity'", Trusted.Check(entry, _identity.Sign(entry).Signature), StringComparison.Ordinal);
        Assert.Contains("does not verify", Trusted.Check(entry with { OccurredAt = entry.OccurredAt.AddDays(-30) }, genuine), StringComparison.Ordinal);
        Assert.Contains("does not verify", Trusted.Check(entry with { AccessGrounds = "break-glass" }, genuine), StringComparison.Ordinal);
        Assert.Contains("does not verify", Trusted.Check(entry, genuine with { Value = _record.Sign(Entry).Signature.Value }), StringComparison.Ordinal);
        Assert.Contains("not base64", Trusted.Check(entry, genuine with { Value = "%%%" }), StringComparison.Ordinal);
    }

    [Fact]
    public void GivenOneKeyConfiguredForTwoServices_WhenTheKeysAreRead_ThenItIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new AuditEmitterKeys().Add("record", _record.PublicKey).Add("identity", _record.PublicKey));

        Assert.Contains("belongs to one service", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAKeyAsAPathOrAsPemText_WhenConfigured_ThenBothSignAsThatKey()
    {
        var path = Path.Combine(_folder, "record.pem");
        using (var created = AuditSigningKey.LoadOrCreate(path))
        {
            using var fromPath = AuditSigningConfiguration.LoadKey(Configuration(("Chronicle:Auditing:SigningKey", path)), _folder, out var pathWarning);
            using var fromText = AuditSigningConfiguration.LoadKey(
                Configuration(("Chronicle:Auditing:SigningKey", File.ReadAllText(path)), ("Chronicle:Transport", "dapr")), _folder, out var textWarning);

            Assert.Equal((created.KeyId, created.KeyId), (fromPath.KeyId, fromText.KeyId));
            Assert.Equal((null, null), (pathWarning, textWarning));
        }

        Assert.Equal(AuditSigningKey.KeyIdOf(AuditEmitterKeys.ReadPublicKeys(AuditSigningKey.PublicKeyPathFor(path)).Single()),
            AuditSigningKey.KeyIdOf(AuditEmitterKeys.ReadPublicKeys(path).Single()));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(AuditSigningKey.PublicKeyPathFor(path)));
        }
    }

    [Fact]
    public void GivenNoKeyUnderDapr_WhenTheServiceStarts_ThenItRefuses()
    {
        var error = Assert.Throws<AuditSigningConfigurationException>(() =>
            AuditSigningConfiguration.LoadKey(Configuration(("Chronicle:Transport", "dapr")), _folder, out _));

        Assert.Contains("Chronicle:Auditing:SigningKey is not set", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void GivenNoKeyInDevelopment_WhenTheServiceStarts_ThenADevelopmentKeyIsMadeOnceAndNamedInAWarning()
    {
        var data = Path.Combine(_folder, "record");

        using var first = AuditSigningConfiguration.LoadKey(Configuration(("Chronicle:Transport", "direct")), data, out var warning);
        using var again = AuditSigningConfiguration.LoadKey(Configuration(), data, out _);

        Assert.Equal(first.KeyId, again.KeyId);
        Assert.Contains(Path.Combine(data, "audit-signing-key.pub.pem"), warning, StringComparison.Ordinal);
        Assert.Contains("An Audit service refuses them", warning, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")]
    public void GivenAnUnusableKey_WhenConfigured_ThenTheSettingIsNamed(string value)
    {
        var error = Assert.Throws<AuditSigningConfigurationException>(() =>
            AuditSigningConfiguration.LoadKey(Configuration(("Chronicle:Auditing:SigningKey", value)), _folder, out _));

        Assert.StartsWith("Chronicle:Auditing:SigningKey must be an ECDSA P-256 private key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAPublicKeyAsTheSigningKey_WhenConfigured_ThenItIsRefused()
    {
        var error = Assert.Throws<AuditSigningConfigurationException>(() =>
            AuditSigningConfiguration.LoadKey(Configuration(("Chronicle:Auditing:SigningKey", _record.PublicKeyPem)), _folder, out _));

        Assert.StartsWith("Chronicle:Auditing:SigningKey must be an ECDSA P-256 private key", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    public void Dispose()
    {
        _record.Dispose();
        _identity.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
