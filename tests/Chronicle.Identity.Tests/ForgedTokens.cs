using System.Security.Cryptography;
using Chronicle.Identity.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Chronicle.Identity.Tests;

/// <summary>The bad tokens every endpoint must refuse, made with Identity's real key (read from its key ring) or with keys it never issued.</summary>
public enum BadToken
{
    None,
    Expired,
    WrongAudience,
    WrongIssuer,
    TamperedSignature,
    TamperedPayload,
    ForeignKey,
    ForeignKeyReusingKeyId,
    NotAnAccessToken,
}

public static class ForgedTokens
{
    /// <summary>A token Identity could have issued: right issuer, audience, lifetime and key, with the given claims.</summary>
    public static string Valid(IdentityInstance identity, IDictionary<string, object> claims) =>
        Create(identity.Issuer.AbsoluteUri, "chronicle", DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(5), RealKey(identity), claims);

    public static string? Make(BadToken kind, IdentityInstance identity, string validToken, IDictionary<string, object> claims)
    {
        var issuer = identity.Issuer.AbsoluteUri;
        var now = DateTime.UtcNow;
        var real = RealKey(identity);
        return kind switch
        {
            BadToken.None => null,
            BadToken.Expired => Create(issuer, "chronicle", now.AddMinutes(-20), now.AddMinutes(-10), real, claims),
            BadToken.WrongAudience => Create(issuer, "some-other-api", now.AddMinutes(-1), now.AddMinutes(5), real, claims),
            BadToken.WrongIssuer => Create("https://issuer.invalid/", "chronicle", now.AddMinutes(-1), now.AddMinutes(5), real, claims),
            BadToken.TamperedSignature => FlipLastSignatureByte(validToken),
            BadToken.TamperedPayload => SwapPayload(validToken, Create(issuer, "chronicle", now.AddMinutes(-1), now.AddHours(5), real,
                new Dictionary<string, object>(claims) { ["scope"] = "system/*.cruds" })),
            BadToken.ForeignKey => Create(issuer, "chronicle", now.AddMinutes(-1), now.AddMinutes(5), ForeignKey(Guid.NewGuid().ToString("N")), claims),
            BadToken.ForeignKeyReusingKeyId => Create(issuer, "chronicle", now.AddMinutes(-1), now.AddMinutes(5), ForeignKey(real.Key.KeyId), claims),
            BadToken.NotAnAccessToken => Create(issuer, "chronicle", now.AddMinutes(-1), now.AddMinutes(5), real, claims, tokenType: "JWT"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private static SigningCredentials RealKey(IdentityInstance identity) =>
        identity.Services.GetRequiredService<SigningKeyRing>().SigningCredentials[0];

    private static SigningCredentials ForeignKey(string keyId) =>
        new(new RsaSecurityKey(RSA.Create(2048)) { KeyId = keyId }, SecurityAlgorithms.RsaSha256);

    private static string Create(string issuer, string audience, DateTime notBefore, DateTime expires, SigningCredentials key,
        IDictionary<string, object> claims, string tokenType = "at+jwt") =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expires,
            Claims = claims,
            SigningCredentials = key,
            TokenType = tokenType,
        });

    private static string FlipLastSignatureByte(string token)
    {
        var parts = token.Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        signature[^1] ^= 0x01;
        return $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(signature)}";
    }

    /// <summary>A genuine header and signature around another payload (wider scope, longer life).</summary>
    private static string SwapPayload(string token, string other)
    {
        var parts = token.Split('.');
        return $"{parts[0]}.{other.Split('.')[1]}.{parts[2]}";
    }
}
