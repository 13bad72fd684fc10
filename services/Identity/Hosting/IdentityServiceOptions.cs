namespace Chronicle.Identity.Hosting;

/// <summary>Configuration section <c>Chronicle:Identity</c>.</summary>
public sealed class IdentityServiceOptions
{
    public const string Section = "Chronicle:Identity";

    /// <summary>The issuer URL tokens carry; defaults to the URL the HTTP port is bound to.</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience of every access token: the Chronicle services.</summary>
    public string Audience { get; set; } = "chronicle";

    /// <summary>
    /// Whether OAuth endpoints refuse plain HTTP. Defaults to true unless the service listens on loopback only, so local
    /// runs work over http://127.0.0.1 and nothing else does without saying so.
    /// </summary>
    public bool? RequireHttps { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan IdentityTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long a signing key signs before the next one takes over.</summary>
    public TimeSpan SigningKeyLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Failed sign-ins in a row before an account is locked; the lock refuses only the addresses that failed against it
    /// (see SignInThrottle).
    /// </summary>
    public int MaxFailedSignIns { get; set; } = 5;
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failed sign-ins one client address may make, naming any accounts, before it must wait between attempts.</summary>
    public int SignInFailuresBeforeDelay { get; set; } = 5;

    /// <summary>The first wait; it doubles with each further failure, up to <see cref="SignInMaxDelay"/>.</summary>
    public TimeSpan SignInFirstDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan SignInMaxDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Requests one client address may make to the token endpoint and the login form per window.</summary>
    public int TokenRequestsPerWindow { get; set; } = 60;
    public TimeSpan TokenRequestWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Failed client authentications (wrong or missing secret) one client id may have per window, from any address.</summary>
    public int ClientSecretFailuresPerWindow { get; set; } = 10;
    public TimeSpan ClientSecretFailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether any supplier may register a module itself (POST /modules); practices still decide who reaches their patients.</summary>
    public bool OpenModuleRegistration { get; set; } = true;

    /// <summary>
    /// How long other services may reuse a legitimate-relationship answer. A change to it (a module disabled, a
    /// registration moved) is published at once and drops the answers it touches; this bounds an answer whose change
    /// event is lost (Identity stopping between committing the change and appending it to its outbox).
    /// </summary>
    public TimeSpan AccessAnswerLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest any token lives: retired signing keys stay published this long.</summary>
    public TimeSpan LongestTokenLifetime =>
        new[] { AccessTokenLifetime, IdentityTokenLifetime, AuthorizationCodeLifetime, RefreshTokenLifetime }.Max();
}
