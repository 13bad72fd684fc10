using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Fhir.Conformance;

/// <summary>Where a client gets a token for this FHIR server: the authorization server's endpoints, as its discovery document says.</summary>
public sealed record SmartEndpoints(Uri Issuer, Uri AuthorizationEndpoint, Uri TokenEndpoint)
{
    public Uri? JwksUri { get; init; }
    public IReadOnlyList<string> GrantTypes { get; init; } = [];
    public IReadOnlyList<string> Scopes { get; init; } = [];
    public IReadOnlyList<string> CodeChallengeMethods { get; init; } = [];
    public IReadOnlyList<string> TokenEndpointAuthMethods { get; init; } = [];
}

/// <summary>
/// Tells a FHIR server how its callers authorise (libs/Security registers one that reads the Identity service's discovery
/// document). A server with none registered checks no tokens, and says nothing about security.
/// </summary>
public interface ISmartConfigurationSource
{
    /// <summary>The endpoints, or null when the authorization server cannot be reached now.</summary>
    Task<SmartEndpoints?> GetAsync(CancellationToken cancellationToken);
}

/// <summary>SMART App Launch's two ways of publishing the endpoints: the CapabilityStatement's rest.security and the .well-known document.</summary>
public static class SmartConfiguration
{
    /// <summary>Served on the FHIR base: <c>[base]/.well-known/smart-configuration</c>.</summary>
    public const string WellKnownPath = "/.well-known/smart-configuration";

    public const string OAuthUrisExtension = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

    /// <summary>What SMART calls this server's abilities: a backend service, standalone launch with PKCE, and the scopes it enforces.</summary>
    public static IReadOnlyList<string> Capabilities { get; } =
        ["launch-standalone", "client-confidential-symmetric", "permission-patient", "permission-user", "permission-v1"];

    /// <summary>
    /// The endpoints for the server answering <paramref name="context"/>: null when it checks no tokens (no
    /// <see cref="ISmartConfigurationSource"/> is registered) or the authorization server cannot be reached now.
    /// </summary>
    public static async Task<SmartEndpoints?> ForRequestAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RequestServices.GetService<ISmartConfigurationSource>() is { } source
            ? await source.GetAsync(context.RequestAborted).ConfigureAwait(false)
            : null;
    }

    /// <summary>rest.security naming SMART-on-FHIR, with the token and authorize endpoints in the oauth-uris extension.</summary>
    public static CapabilityStatement.SecurityComponent Security(SmartEndpoints endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var uris = new Extension { Url = OAuthUrisExtension };
        uris.Extension.Add(new Extension("token", new FhirUri(endpoints.TokenEndpoint)));
        uris.Extension.Add(new Extension("authorize", new FhirUri(endpoints.AuthorizationEndpoint)));
        var security = new CapabilityStatement.SecurityComponent
        {
            Cors = false,
            Service = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR")],
            Description = "Every request but metadata and the definitions needs an OAuth 2.0 bearer access token from the Identity service " +
                $"({endpoints.Issuer}), with SMART scopes; patient data is also subject to the caller's relationship with the patient.",
        };
        security.Extension.Add(uris);
        return security;
    }

    /// <summary>The <c>.well-known/smart-configuration</c> JSON document.</summary>
    public static JsonObject Document(SmartEndpoints endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        static JsonArray Array(IEnumerable<string> values) => [.. values.Select(v => (JsonNode)v)];
        var document = new JsonObject
        {
            ["issuer"] = endpoints.Issuer.ToString(),
            ["authorization_endpoint"] = endpoints.AuthorizationEndpoint.ToString(),
            ["token_endpoint"] = endpoints.TokenEndpoint.ToString(),
            ["token_endpoint_auth_methods_supported"] = Array(endpoints.TokenEndpointAuthMethods),
            ["grant_types_supported"] = Array(endpoints.GrantTypes),
            ["scopes_supported"] = Array(endpoints.Scopes),
            ["response_types_supported"] = Array(["code"]),
            ["code_challenge_methods_supported"] = Array(endpoints.CodeChallengeMethods),
            ["capabilities"] = Array(Capabilities),
        };
        if (endpoints.JwksUri is { } jwks)
            document["jwks_uri"] = jwks.ToString();
        return document;
    }
}
