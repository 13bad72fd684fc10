using Chronicle.Auditing;

namespace Chronicle.Audit.Tests;

/// <summary>The emitters' signing keys the in-process tests sign with, and the Audit service's settings that trust them.</summary>
public static class TestEmitters
{
    /// <summary>The Record's key: entries of service "record" signed with it are genuine.</summary>
    public static AuditSigningKey Record { get; } = AuditSigningKey.Generate();

    /// <summary>Identity's key: genuine for service "identity", a wrong key for anything else.</summary>
    public static AuditSigningKey Identity { get; } = AuditSigningKey.Generate();

    public static SignedAuditEntry Signed(AuditEntry entry) => Record.Sign(entry);

    public static IReadOnlyList<SignedAuditEntry> Signed(IEnumerable<AuditEntry> entries) => entries.Select(Signed).ToList();

    /// <summary>The keys a verifier trusts: the Record's and Identity's.</summary>
    public static AuditEmitterKeys Keys() => new AuditEmitterKeys().Add("record", Record.PublicKey).Add("identity", Identity.PublicKey);

    /// <summary>Audit service settings trusting both keys, as PEM text.</summary>
    public static string[] Settings() =>
    [
        $"--Chronicle:Audit:Emitters:record:PublicKeys:0={Record.PublicKeyPem}",
        $"--Chronicle:Audit:Emitters:identity:PublicKeys:0={Identity.PublicKeyPem}",
    ];
}
