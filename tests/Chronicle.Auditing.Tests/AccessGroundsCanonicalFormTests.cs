using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chronicle.Contracts.IntegrationEvents.Audit;

namespace Chronicle.Auditing.Tests;

/// <summary>
/// The grounds of an access joined the audit entry after chains were already being written: an entry without them must
/// keep the exact bytes (so the hash) it always had, and one with them must carry them through the canonical form and the
/// integration event unchanged.
/// </summary>
public sealed class AccessGroundsCanonicalFormTests
{
    private static readonly AuditEntry Entry = new()
    {
        EntryId = Guid.Parse("0193a5a4-7a4e-7d1c-9f00-0123456789ab"),
        OccurredAt = new DateTimeOffset(2026, 11, 25, 21, 40, 1, TimeSpan.Zero).AddTicks(1234567),
        Service = "record",
        UserId = "G8123456",
        Role = "GP",
        OrganisationOds = "A81001",
        ClientId = "gp-desktop",
        PatientId = "9f6c1a52-0000-4000-8000-000000000001",
        Action = AuditAction.Read,
        ResourceType = "Patient",
        ResourceId = "9f6c1a52-0000-4000-8000-000000000001",
        Outcome = 200,
        CorrelationId = "corr-1",
    };

    /// <summary>The canonical bytes as version 1 wrote them, before access grounds existed.</summary>
    private const string VersionOneBytes =
        """{"entryId":"0193a5a4-7a4e-7d1c-9f00-0123456789ab","occurredAt":"2026-11-25T21:40:01.1234567Z","service":"record","userId":"G8123456","role":"GP","organisationOds":"A81001","clientId":"gp-desktop","onBehalfOf":null,"patientId":"9f6c1a52-0000-4000-8000-000000000001","action":"Read","resourceType":"Patient","resourceId":"9f6c1a52-0000-4000-8000-000000000001","query":null,"outcome":200,"correlationId":"corr-1","breakGlass":false,"breakGlassReason":null}""";

    [Fact]
    public void GivenAnEntryWithoutGrounds_WhenWrittenInCanonicalForm_ThenItsBytesAndHashAreThoseVersionOneWrote()
    {
        var bytes = AuditCanonicalForm.ToBytes(Entry);

        Assert.Equal(VersionOneBytes, Encoding.UTF8.GetString(bytes));
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(VersionOneBytes)), SHA256.HashData(bytes));
        using var document = JsonDocument.Parse(VersionOneBytes);
        Assert.Equal(Entry, AuditCanonicalForm.Read(document.RootElement));
    }

    [Fact]
    public void GivenAnEntryWithGrounds_WhenWrittenInCanonicalForm_ThenTheyFollowEveryVersionOneFieldAndRoundTrip()
    {
        var entry = Entry with { AccessGrounds = "registered-practice" };

        var bytes = AuditCanonicalForm.ToBytes(entry);
        using var document = JsonDocument.Parse(bytes);

        Assert.Equal(VersionOneBytes[..^1] + ""","accessGrounds":"registered-practice"}""", Encoding.UTF8.GetString(bytes));
        Assert.Equal(entry, AuditCanonicalForm.Read(document.RootElement));
        Assert.Equal(bytes, AuditCanonicalForm.ToBytes(AuditCanonicalForm.Read(document.RootElement)));
    }

    [Fact]
    public void GivenAnEntryWithItsAgentKind_WhenWrittenInCanonicalFormAndSentAsTheIntegrationEvent_ThenItFollowsTheGroundsAndArrivesWithAValidSignature()
    {
        var entry = Entry with { AccessGrounds = "module-enabled-at-practice", AgentKind = "system" };
        using var key = AuditSigningKey.Generate();
        var signed = key.Sign(entry);

        var bytes = AuditCanonicalForm.ToBytes(entry);
        var message = JsonSerializer.Deserialize(JsonSerializer.Serialize(AuditEntryMessages.ToIntegrationEvent(signed),
            AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded), AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)!;
        var back = AuditEntryMessages.FromIntegrationEvent(message);

        Assert.Equal(VersionOneBytes[..^1] + ""","accessGrounds":"module-enabled-at-practice","agentKind":"system"}""", Encoding.UTF8.GetString(bytes));
        Assert.Equal(entry, back);
        Assert.Equal("system", message.AgentKind);
        Assert.Null(new AuditEmitterKeys().Add(entry.Service, key.PublicKey).Check(back, AuditEntryMessages.SignatureOf(message)));
    }

    [Fact]
    public void GivenGrounds_WhenAnEntryTravelsAsTheIntegrationEvent_ThenItCarriesThemAndAnEventWithoutThemReadsAsNone()
    {
        var entry = Entry with { AccessGrounds = "break-glass", BreakGlass = true, BreakGlassReason = "Unconscious in A&E" };
        using var key = AuditSigningKey.Generate();
        var message = AuditEntryMessages.ToIntegrationEvent(key.Sign(entry));
        var json = JsonSerializer.Serialize(message, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded);
        var withoutGrounds = JsonSerializer.Serialize(message with { AccessGrounds = null }, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)
            .Replace(""","accessGrounds":null""", "", StringComparison.Ordinal);

        var back = AuditEntryMessages.FromIntegrationEvent(JsonSerializer.Deserialize(json, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)!);
        var older = AuditEntryMessages.FromIntegrationEvent(JsonSerializer.Deserialize(withoutGrounds, AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)!);

        Assert.DoesNotContain("accessGrounds", withoutGrounds, StringComparison.Ordinal);
        Assert.Equal(entry, back);
        Assert.Equal(entry with { AccessGrounds = null }, older);
    }
}

/// <summary>What kind of agent a caller is, read once from the token (libs/Security), as audit entries record it.</summary>
public sealed class CallerAgentKindTests
{
    [Theory]
    [InlineData("pharmacy-module", "pharmacy-module", null, null, null, null, "system")]
    [InlineData("0b8f1c3e-0000-4000-8000-000000000001", "gp-desktop", "GP", "A81001", null, null, "staff")]
    [InlineData("0b8f1c3e-0000-4000-8000-000000000002", "nhs-app", null, null, "9f6c1a52-0000-4000-8000-000000000001", null, "patient")]
    [InlineData("0b8f1c3e-0000-4000-8000-000000000003", "nhs-app", null, null, "9f6c1a52-0000-4000-8000-000000000001", "9f6c1a52-0000-4000-8000-000000000009", "related-person")]
    [InlineData(null, null, null, null, null, null, null)]
    public void GivenAToken_WhenTheCallerIsRead_ThenItsAgentKindSaysWhatItIs(
        string? subject, string? client, string? role, string? organisation, string? patient, string? onBehalfOf, string? kind)
    {
        var claims = new List<System.Security.Claims.Claim>();
        void Add(string type, string? value)
        {
            if (value is not null)
                claims.Add(new System.Security.Claims.Claim(type, value));
        }

        Add(Chronicle.Security.ChronicleClaims.Subject, subject);
        Add(Chronicle.Security.ChronicleClaims.ClientId, client);
        Add(Chronicle.Security.ChronicleClaims.Role, role);
        Add(Chronicle.Security.ChronicleClaims.Organisation, organisation);
        Add(Chronicle.Security.ChronicleClaims.Patient, patient);
        Add(Chronicle.Security.ChronicleClaims.OnBehalfOf, onBehalfOf);

        var caller = Chronicle.Security.Caller.From(new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(claims, "test")));

        Assert.Equal(kind, caller.AgentKind);
    }
}
