namespace Chronicle.Security;

/// <summary>
/// Configuration section <c>Chronicle:Security</c>: where the Identity service is and what tokens must say.
/// </summary>
public sealed class ChronicleSecurityOptions
{
    public const string Section = "Chronicle:Security";

    /// <summary>The Identity service's issuer URL; its discovery document is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>Overrides where the discovery document is read, when it is not under <see cref="Authority"/>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>The audience every token must carry.</summary>
    public string Audience { get; set; } = "chronicle";

    /// <summary>Plain-HTTP discovery is refused unless this is false; set it false only for local runs and tests.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>
    /// The Identity service's gRPC address (HTTP/2), for legitimate-relationship checks, in a host that does not call
    /// Identity by service invocation. Chronicle's services do (SecurityStartup.AddChronicleSecurityOrOptOut), so under
    /// Dapr the call goes through the sidecar and this stays unset.
    /// </summary>
    public string? AccessServiceAddress { get; set; }

    /// <summary>The shortest wait between two refreshes of the signing keys when a token names a key not seen yet.</summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Allowed difference between this machine's clock and Identity's when checking expiry.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a relationship answer is reused when Identity does not say.</summary>
    public TimeSpan AccessCacheDuration { get; set; } = TimeSpan.FromSeconds(30);
}
