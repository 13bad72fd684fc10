using Chronicle.Auditing;
using Chronicle.Contracts;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Chronicle.Testing;

/// <summary>
/// Every endpoint of a service, as its real compose function maps it (built, not started), with what it declares to the
/// audit trail: "Audited Read", "AuditedAsFhirInteraction", "NoPatientData", or "UNDECLARED". Keyed by route pattern and
/// HTTP methods ("GET /fhir/{type}/{id}") or, for gRPC, by method path ("/chronicle.record.v1.PatientRecord/GetRecord").
/// </summary>
public static class EndpointDeclarations
{
    public const string Undeclared = "UNDECLARED";

    public static IReadOnlyDictionary<string, string> Of(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        using var endpoints = new CompositeEndpointDataSource(((IEndpointRouteBuilder)app).DataSources);
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            if (AuditDeclarations.Undeclared(new StaticEndpoints(endpoint)).Count == 0 && AuditDeclarations.DeclarationOf(endpoint) is null)
                continue; // Grpc.AspNetCore's own answer to unknown services and methods
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [];
            var grpc = endpoint.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>();
            var key = grpc is not null ? grpc.Method.FullName : $"{string.Join(",", methods)} {endpoint.RoutePattern.RawText}".Trim();
            declared[key] = AuditDeclarations.DeclarationOf(endpoint) switch
            {
                AuditedAttribute audited => $"Audited {audited.Action}",
                AuditedAsFhirInteractionMetadata => "AuditedAsFhirInteraction",
                NoPatientDataAttribute => "NoPatientData",
                _ => Undeclared,
            };
        }

        return declared;
    }

    /// <summary>The method paths of every method of <paramref name="services"/>, as gRPC endpoints are keyed.</summary>
    public static IEnumerable<string> MethodsOf(params ServiceDescriptor[] services) =>
        services.SelectMany(service => service.Methods.Select(method => $"/{service.FullName}/{method.Name}"));

    private sealed class StaticEndpoints(Endpoint endpoint) : EndpointDataSource
    {
        public override IReadOnlyList<Endpoint> Endpoints { get; } = [endpoint];

        public override Microsoft.Extensions.Primitives.IChangeToken GetChangeToken() => Microsoft.Extensions.FileProviders.NullChangeToken.Singleton;
    }
}
