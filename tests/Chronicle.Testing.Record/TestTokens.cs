using System.Security.Cryptography;
using Chronicle.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Chronicle.Testing;

/// <summary>
/// Real access tokens (RS256 JWTs of type at+jwt, with issuer, audience and expiry) for a service composed in process
/// with libs/Security on: <see cref="Trust"/> makes the service's JWT bearer check accept this signing key, in place of
/// the keys it would read from Identity's discovery document. Every other check (issuer, audience, lifetime, type,
/// scopes, the fallback policy, refusal answers) is the service's own.
/// </summary>
public sealed class TestTokens
{
    /// <summary>The issuer every test token names, and the one <see cref="Trust"/> makes the service expect.</summary>
    public const string Issuer = "https://identity.test/";

    /// <summary>The audience Chronicle's services expect (<see cref="ChronicleSecurityOptions.Audience"/>).</summary>
    public const string Audience = "chronicle";

    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = $"test-key-{Guid.NewGuid():N}" };

    /// <summary>A token carrying <paramref name="claims"/> (e.g. <see cref="ChronicleClaims.Scope"/>, <see cref="ChronicleClaims.Subject"/>).</summary>
    public string Create(IReadOnlyDictionary<string, object> claims) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Expires = DateTime.UtcNow.AddHours(2),
        TokenType = "at+jwt",
        Claims = claims.ToDictionary(),
        SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
    });

    /// <summary>A supplier module's client-credentials token with <paramref name="scope"/> (space-separated SMART scopes).</summary>
    public string Module(string scope, string clientId = "test-module") => Create(new Dictionary<string, object>
    {
        [ChronicleClaims.Subject] = clientId,
        [ChronicleClaims.ClientId] = clientId,
        [ChronicleClaims.Scope] = scope,
    });

    /// <summary>A member of staff's token: who they are, their role, their practice and the app they signed in with.</summary>
    public string Staff(string subject, string role, string practiceOds, string scope = "user/*.cruds", string clientId = "gp-desktop") =>
        Create(new Dictionary<string, object>
        {
            [ChronicleClaims.Subject] = subject,
            [ChronicleClaims.Role] = role,
            [ChronicleClaims.Organisation] = practiceOds,
            [ChronicleClaims.ClientId] = clientId,
            [ChronicleClaims.Scope] = scope,
        });

    /// <summary>
    /// An override (<see cref="ServiceOverrides"/>) for a service that registered libs/Security: its JWT bearer check
    /// accepts this key's tokens, and other <see cref="TestTokens"/>' it was told to trust. Identity is never asked for keys.
    /// </summary>
    public void Trust(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            options.Configuration ??= new OpenIdConnectConfiguration { Issuer = Issuer };
            options.Configuration.SigningKeys.Add(_key);
            options.TokenValidationParameters.ValidIssuer = Issuer;
            options.TokenValidationParameters.IssuerSigningKeys = [.. options.Configuration.SigningKeys];
        });
    }
}
