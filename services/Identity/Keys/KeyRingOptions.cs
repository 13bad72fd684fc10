using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using OpenIddict.Server;

namespace Chronicle.Identity.Keys;

/// <summary>The issuer URL, known from configuration or once the HTTP port is bound.</summary>
public sealed class IssuerAddress(ServerOptionsChangeSignal changes)
{
    private volatile Uri? _value;

    public Uri Value => _value ?? throw new InvalidOperationException("The issuer is not known before the HTTP port is bound.");

    public bool IsKnown => _value is not null;

    public void Set(Uri issuer)
    {
        _value = issuer;
        changes.Raise();
    }
}

/// <summary>Feeds OpenIddict its keys and issuer from the key ring, each time its options are rebuilt.</summary>
public sealed class ConfigureServerFromKeyRing(SigningKeyRing ring, IssuerAddress issuer) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.SigningCredentials.AddRange(ring.SigningCredentials);
        options.EncryptionCredentials.Add(ring.EncryptionCredentials);
        if (issuer.IsKnown)
            options.Issuer = issuer.Value;
    }
}

/// <summary>
/// Runs after OpenIddict's own post-configuration, which sorts credentials without an order among plain RSA keys:
/// puts the active key first again, because OpenIddict signs with the first.
/// </summary>
public sealed class KeepActiveSigningKeyFirst(SigningKeyRing ring) : IPostConfigureOptions<OpenIddictServerOptions>
{
    public void PostConfigure(string? name, OpenIddictServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var order = ring.SigningCredentials.Select((c, i) => (c.Key.KeyId, i)).ToDictionary(p => p.KeyId, p => p.i);
        options.SigningCredentials.Sort((a, b) =>
            order.GetValueOrDefault(a.Key.KeyId, int.MaxValue).CompareTo(order.GetValueOrDefault(b.Key.KeyId, int.MaxValue)));
    }
}

public sealed class KeyRingChangeTokenSource(ServerOptionsChangeSignal changes) : IOptionsChangeTokenSource<OpenIddictServerOptions>
{
    public string? Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => changes.GetChangeToken();
}

/// <summary>
/// Identity validating its own access tokens (admin API, Access service) reads the live key ring instead of its own
/// discovery document over HTTP, so a rotation is seen at once.
/// </summary>
public sealed class KeyRingConfigurationManager(SigningKeyRing ring, IssuerAddress issuer) : IConfigurationManager<OpenIdConnectConfiguration>
{
    public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = issuer.Value.AbsoluteUri };
        foreach (var credentials in ring.SigningCredentials)
            configuration.SigningKeys.Add(credentials.Key);
        return Task.FromResult(configuration);
    }

    public void RequestRefresh()
    {
    }
}

/// <summary>Rotates the signing key when it is due, and picks up rotations made by other instances.</summary>
public sealed partial class SigningKeyRotationService(SigningKeyRing ring, ILogger<SigningKeyRotationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await ring.LoadAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReloadFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reloading the signing keys failed; the current keys stay in use")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
