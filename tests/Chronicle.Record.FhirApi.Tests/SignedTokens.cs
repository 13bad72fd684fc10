using Chronicle.Security;
using Chronicle.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// Real access tokens (RS256 JWTs of type at+jwt, with issuer, audience and expiry; <see cref="TestTokens"/>) checked by
/// the composed Record's own libs/Security pipeline, with its fallback policy and refusal answers. Only the signing key is
/// given directly instead of read from Identity's discovery document, and the caller's relationships come from a table
/// standing in for Identity's Access service.
/// </summary>
public sealed class SignedTokens
{
    private readonly TestTokens _tokens = new();

    /// <summary>Patients the caller has a legitimate relationship with; every other patient is refused.</summary>
    public HashSet<string> Reachable { get; } = new(StringComparer.Ordinal);

    /// <summary>A supplier module's client-credentials token with <paramref name="scope"/> (space-separated SMART scopes).</summary>
    public string Module(string scope) => _tokens.Module(scope);

    /// <summary>For <see cref="FhirApiServer.StartAsync"/>'s <c>security</c>: the Record trusts these tokens and asks this table.</summary>
    public void Register(IServiceCollection services)
    {
        _tokens.Trust(services);
        services.AddSingleton<IPatientAccessChecker>(new ReachablePatients(Reachable));
    }
}
