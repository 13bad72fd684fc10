using Chronicle.Fhir;

namespace Chronicle.Launcher.Gateway;

/// <summary>Where a request under the gateway's FHIR base goes.</summary>
public abstract record GatewayRoute;

/// <summary>The platform's one CapabilityStatement, merged from the running services'.</summary>
public sealed record MetadataRoute : GatewayRoute;

/// <summary>To the service that owns the resource type; <paramref name="Path"/> is the part after the FHIR base, e.g. /Patient/1.</summary>
public sealed record ForwardRoute(FhirBackend Backend, string Path) : GatewayRoute;

/// <summary>Answered by the gateway itself with an OperationOutcome.</summary>
public sealed record RefusedRoute(FhirException Error) : GatewayRoute;

/// <summary>Routes by resource type, the first segment after the FHIR base, to the service that owns it.</summary>
public sealed class FhirRouteTable
{
    private readonly Dictionary<string, FhirBackend> _owners = new(StringComparer.Ordinal);

    public FhirRouteTable(IEnumerable<FhirBackend> backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        Backends = [.. backends];
        foreach (var backend in Backends)
        {
            foreach (var type in backend.ResourceTypes)
            {
                if (!_owners.TryAdd(type, backend))
                    throw new ArgumentException($"{type} is owned by both {_owners[type].Service} and {backend.Service}; a resource type has one owner.", nameof(backends));
            }
        }
    }

    public IReadOnlyList<FhirBackend> Backends { get; }

    /// <summary>The service the gateway sends <paramref name="resourceType"/> to, if any.</summary>
    public FhirBackend? Owner(string? resourceType) => resourceType is null ? null : _owners.GetValueOrDefault(resourceType);

    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The request path after the gateway's FHIR base: "", "/metadata", "/Patient/1/_history" and so on.</param>
    public GatewayRoute Resolve(string method, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var first = path.TrimStart('/').Split('/', 2)[0];
        if (first.Length == 0)
            return new RefusedRoute(FhirException.NotFound($"This is the platform's FHIR base. Ask for /metadata or a resource type: {Served()}."));
        if (first == "metadata")
        {
            return HttpMethodsAllowingRead(method)
                ? new MetadataRoute()
                : new RefusedRoute(FhirException.MethodNotAllowed("metadata is read with GET.", Chronicle.Fhir.Http.FhirRoutes.ReadMethods));
        }

        if (Owner(first) is not { } owner)
            return new RefusedRoute(FhirException.NotFound($"'{first}' is not a resource type this platform serves. It serves {Served()}."));
        return owner.State == BackendState.Ready && owner.FhirBase is not null
            ? new ForwardRoute(owner, path)
            : new RefusedRoute(FhirException.Unavailable(owner.Unavailability()));
    }

    private static bool HttpMethodsAllowingRead(string method) =>
        Microsoft.AspNetCore.Http.HttpMethods.IsGet(method) || Microsoft.AspNetCore.Http.HttpMethods.IsHead(method);

    private string Served() => string.Join(", ", _owners.Keys);
}
