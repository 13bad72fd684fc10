using Chronicle.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting;

namespace Chronicle.Auditing;

/// <summary>
/// Declares what an HTTP endpoint or a gRPC method does to patient data: one audit entry with this action is written
/// for each call, refusals and failures included. Put it beside the scope requirement (on the gRPC method, or with
/// <see cref="AuditDeclarations.Audited{TBuilder}(TBuilder, AuditAction, string?)"/> on an endpoint); the alternative is
/// <see cref="NoPatientDataAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class AuditedAttribute(AuditAction action) : Attribute
{
    public AuditAction Action { get; } = action;

    /// <summary>The resource type the entry names when the route carries none in a <c>{type}</c> value.</summary>
    public string? ResourceType { get; init; }
}

/// <summary>
/// Endpoint metadata beside <see cref="AuditedAttribute"/> for an endpoint whose route values do not say what it
/// touches (<c>{type}</c>, <c>{id}</c>, <c>{patientId}</c>): it names the entry's resource and patient itself.
/// </summary>
public sealed class AuditTargetMetadata(Func<HttpRequest, AuditAction, FhirAuditTarget> target)
{
    public FhirAuditTarget TargetOf(HttpRequest request, AuditAction action) => target(request, action);
}

/// <summary>
/// Declares a FHIR endpoint (the fallback under a FHIR base, typically) whose audit action is the FHIR REST interaction the
/// request asks for, read from its method and its path below the base (route value <c>path</c>): a 404 or 405 under the
/// FHIR base is an attempt on patient data, and is audited as what it attempted.
/// </summary>
public sealed class AuditedAsFhirInteractionMetadata
{
    public static readonly AuditedAsFhirInteractionMetadata Instance = new();

    private AuditedAsFhirInteractionMetadata()
    {
    }
}

public static class AuditDeclarations
{
    /// <summary>Each call of the endpoint is audited as <paramref name="action"/> (see <see cref="AuditedAttribute"/>).</summary>
    public static TBuilder Audited<TBuilder>(this TBuilder builder, AuditAction action, string? resourceType = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AuditedAttribute(action) { ResourceType = resourceType });

    /// <summary>Each call is audited as <paramref name="action"/>, on the resource and patient <paramref name="target"/> names.</summary>
    public static TBuilder Audited<TBuilder>(this TBuilder builder, AuditAction action, Func<HttpRequest, AuditAction, FhirAuditTarget> target)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AuditedAttribute(action), new AuditTargetMetadata(target));

    /// <summary>Each call is audited as the FHIR REST interaction it asks for (see <see cref="AuditedAsFhirInteractionMetadata"/>).</summary>
    public static TBuilder AuditedAsFhirInteraction<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AuditedAsFhirInteractionMetadata.Instance);

    /// <summary>The endpoint touches no patient data and is not audited (see <see cref="NoPatientDataAttribute"/>).</summary>
    public static TBuilder NoPatientData<TBuilder>(this TBuilder builder, string reason)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new NoPatientDataAttribute(reason));

    /// <summary>
    /// The endpoint's declaration: an <see cref="AuditedAttribute"/>, <see cref="AuditedAsFhirInteractionMetadata"/> or
    /// <see cref="NoPatientDataAttribute"/>, the most specific one (an endpoint's own over its group's, a gRPC method's over
    /// its service's); null when it declares nothing.
    /// </summary>
    public static object? DeclarationOf(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        for (var i = endpoint.Metadata.Count - 1; i >= 0; i--)
        {
            if (endpoint.Metadata[i] is AuditedAttribute or AuditedAsFhirInteractionMetadata or NoPatientDataAttribute)
                return endpoint.Metadata[i];
        }

        return null;
    }

    /// <summary>
    /// The endpoints of <paramref name="endpoints"/> that declare nothing, by display name. Grpc.AspNetCore's own answers to
    /// unknown services and methods (status Unimplemented, no service code runs) need no declaration.
    /// </summary>
    public static IReadOnlyList<string> Undeclared(EndpointDataSource endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return [.. endpoints.Endpoints
            .Where(e => DeclarationOf(e) is null && !IsGrpcUnimplemented(e))
            .Select(e => e.DisplayName ?? e.ToString() ?? "(unnamed endpoint)")];
    }

    private static bool IsGrpcUnimplemented(Endpoint endpoint) =>
        endpoint is RouteEndpoint route && route.RoutePattern.RawText?.Contains("{unimplemented", StringComparison.Ordinal) == true;
}

/// <summary>
/// Puts <see cref="AuditMiddleware"/> in front of everything the service's own pipeline does, and refuses to start a
/// service with an endpoint that neither declares its audit action nor says it touches no patient data: such an
/// endpoint would serve patient data with no audit entry, which must never happen silently. The check runs once the
/// service's pipeline is built, when its endpoints are known.
/// </summary>
internal sealed class AuditStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<AuditMiddleware>();
        next(app);
        var undeclared = AuditDeclarations.Undeclared(app.ApplicationServices.GetRequiredService<EndpointDataSource>());
        if (undeclared.Count > 0)
            throw new InvalidOperationException(
                "Every endpoint must declare its audit action ([Audited] or .Audited(...)) or that it touches no patient data " +
                $"([NoPatientData] or .NoPatientData(...)); these declare neither: {string.Join("; ", undeclared)}.");
    };
}
