namespace Chronicle.Identity.Directory;

/// <summary>A GP practice, known by its ODS code (e.g. A81001).</summary>
public sealed class Practice
{
    public required string OdsCode { get; init; }
    public required string Name { get; set; }
}

/// <summary>Someone who signs in on the login page: a member of staff or a patient.</summary>
public abstract class Account
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string UserName { get; init; }
    public required string DisplayName { get; set; }
    public string PasswordHash { get; set; } = "";
    public int FailedSignIns { get; set; }
    public DateTimeOffset? LockedOutUntil { get; set; }
}

public sealed class StaffAccount : Account
{
    /// <summary>One of <see cref="Chronicle.Security.StaffRoles"/>.</summary>
    public required string Role { get; set; }
    public required string PracticeOds { get; set; }
}

/// <summary>A patient's own account, linked to exactly one patient record.</summary>
public sealed class PatientAccount : Account
{
    public required Guid PatientId { get; init; }
}

/// <summary>
/// A supplier module: an OAuth client (its secret is kept, hashed, by OpenIddict) with the scopes it may be granted.
/// It reaches a practice's patients only once that practice enables it.
/// </summary>
public sealed class SupplierModule
{
    public required string ClientId { get; init; }
    public required string Name { get; set; }
    /// <summary>Space-separated SMART scopes the module may ask for, e.g. "system/Patient.rs system/Observation.rs".</summary>
    public required string AllowedScopes { get; set; }
    public DateTimeOffset RegisteredAt { get; init; }
}

/// <summary>A practice's choice to let a module reach its patients. Disabling removes the row.</summary>
public sealed class ModuleEnablement
{
    public required string PracticeOds { get; init; }
    public required string ClientId { get; init; }
    public DateTimeOffset EnabledAt { get; init; }
    /// <summary>The account id of the practice manager who enabled it.</summary>
    public required string EnabledBy { get; init; }
}

/// <summary>Identity's copy of where a patient is registered, kept from the Record service's integration events.</summary>
public sealed class Registration
{
    public required Guid PatientId { get; init; }
    public required string PracticeOds { get; set; }
    /// <summary>The version of the patient's record stream the fact came from; older facts never overwrite newer ones.</summary>
    public long StreamVersion { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}

/// <summary>An integration event already applied (the inbox), so a redelivered event changes nothing.</summary>
public sealed class ProcessedEvent
{
    public required Guid EventId { get; init; }
    public DateTimeOffset ProcessedAt { get; init; }
}

/// <summary>
/// A key protecting tokens. Signing keys (RSA) are pending (published, not yet signing), then active (signing), then
/// retired (still published until every token they signed has expired). The one encryption key (AES) protects
/// authorization codes and refresh tokens. Private material is stored encrypted (see SigningKeyRing).
/// </summary>
public sealed class SigningKey
{
    public const string Signing = "sig";
    public const string Encryption = "enc";

    public required string KeyId { get; init; }
    /// <summary><see cref="Signing"/> or <see cref="Encryption"/>.</summary>
    public required string Use { get; init; }
    /// <summary>
    /// PKCS#8 private key (signing) or raw key bytes (encryption), encrypted with data protection when
    /// <see cref="Protected"/>; rows from before that are encrypted when Identity next loads its keys.
    /// </summary>
    public required byte[] KeyMaterial { get; set; }
    public bool Protected { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ActivatedAt { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
}
