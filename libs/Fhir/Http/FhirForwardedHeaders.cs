using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Chronicle.Fhir.Http;

public static class FhirForwardedHeaders
{
    /// <summary>
    /// Takes the scheme, host and caller from X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-For when a proxy on
    /// this machine sends them (the launcher's FHIR gateway), so <see cref="FhirRequestUrls"/> builds fullUrls and links
    /// that point at the gateway, and audit sees the real caller. Only loopback proxies are trusted (ASP.NET Core's
    /// default KnownProxies/KnownIPNetworks); from anywhere else the headers are ignored. Call before anything that reads
    /// the request's host or remote address.
    /// </summary>
    public static IApplicationBuilder UseFhirForwardedHeaders(this IApplicationBuilder app) =>
        app.UseForwardedHeaders(new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
        });
}
