using System.Security.Cryptography;
using Chronicle.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// Real access tokens (RS256 JWTs of type at+jwt, with issuer, audience and expiry) checked by libs/Security's real
/// pipeline: <see cref="SecurityServiceCollectionExtensions.AddChronicleSecurity(IServiceCollection, IConfiguration, Action{ChronicleSecurityOptions}?)"/>
/// with its fallback policy and refusal answers. Only the signing keys are given directly instead of read from Identity's
/// discovery document, and the caller's relationships come from a table standing in for Identity's Access service.
/// </summary>
public sealed class SignedTokens
{
    private const string Issuer = "https://identity.test/";
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-key" };

    /// <summary>Patients the caller has a legitimate relationship with; every other patient is refused.</summary>
    public HashSet<string> Reachable { get; } = new(StringComparer.Ordinal);

    /// <summary>A supplier module's client-credentials token with <paramref name="scope"/> (space-separated SMART scopes).</summary>
    public string Module(string scope) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = "chronicle",
        Expires = DateTime.UtcNow.AddMinutes(30),
        TokenType = "at+jwt",
        Claims = new Dictionary<string, object>
        {
            [ChronicleClaims.Subject] = "test-module",
            [ChronicleClaims.ClientId] = "test-module",
            [ChronicleClaims.Scope] = scope,
        },
        SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
    });

    /// <summary>For <see cref="FhirApiServer.StartAsync"/>'s <c>security</c>: libs/Security as every service registers it.</summary>
    public void Register(IServiceCollection services)
    {
        services.AddSingleton<IPatientAccessChecker>(new RelationshipTable(Reachable));
        services.AddChronicleSecurity(new ConfigurationBuilder().Build());
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
            configuration.SigningKeys.Add(_key);
            options.Configuration = configuration;
            options.TokenValidationParameters.ValidIssuer = Issuer;
            options.TokenValidationParameters.IssuerSigningKey = _key;
        });
    }

    private sealed class RelationshipTable(IReadOnlySet<string> reachable) : IPatientAccessChecker
    {
        public ValueTask<PatientAccessOutcome> CheckAsync(PatientAccessRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(reachable.Contains(request.PatientId) ? PatientAccessOutcome.Allowed : PatientAccessOutcome.Denied);
    }
}
