using Chronicle.Fhir.Conformance;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chronicle.Security;

/// <summary>
/// The SMART endpoints from the Identity service's OpenID Connect discovery document: the same document, fetched and
/// cached by the same configuration manager, that token validation uses, so what the FHIR server publishes is what it trusts.
/// </summary>
internal sealed partial class SmartConfigurationFromDiscovery(IOptionsMonitor<JwtBearerOptions> options, ILogger<SmartConfigurationFromDiscovery> logger)
    : ISmartConfigurationSource
{
    public async Task<SmartEndpoints?> GetAsync(CancellationToken cancellationToken)
    {
        var manager = options.Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager;
        if (manager is null)
            return null;
        try
        {
            var discovery = await manager.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(discovery.AuthorizationEndpoint) || string.IsNullOrEmpty(discovery.TokenEndpoint))
                return null;
            return new SmartEndpoints(new Uri(discovery.Issuer), new Uri(discovery.AuthorizationEndpoint), new Uri(discovery.TokenEndpoint))
            {
                JwksUri = string.IsNullOrEmpty(discovery.JwksUri) ? null : new Uri(discovery.JwksUri),
                GrantTypes = [.. discovery.GrantTypesSupported],
                Scopes = [.. discovery.ScopesSupported],
                CodeChallengeMethods = [.. discovery.CodeChallengeMethodsSupported],
                TokenEndpointAuthMethods = [.. discovery.TokenEndpointAuthMethodsSupported],
            };
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogDiscoveryUnavailable(logger, e);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Identity service's discovery document could not be read; SMART endpoints are not published now")]
    private static partial void LogDiscoveryUnavailable(ILogger logger, Exception exception);
}
