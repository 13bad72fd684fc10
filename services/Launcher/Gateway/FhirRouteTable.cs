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

/// <summary>
/// Routes by resource type, the first segment after the FHIR base, to the service that owns it. A service's types are
/// those it was made with (tests) plus those it describes in its own CapabilityStatement, learned once it is ready
/// (<see cref="Learn"/>), so a service that serves a new type needs no change to the launcher.
/// </summary>
public sealed class FhirRouteTable
{
    // Requests read while a ready service's types are learned; a type keeps the place it was first routed in.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FhirBackend> _owners = new(StringComparer.Ordinal);
    private readonly List<string> _served = [];

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
                _served.Add(type);
            }
        }
    }

    public IReadOnlyList<FhirBackend> Backends { get; }

    /// <summary>
    /// What every service serves alike (Chronicle's definitions, SMART's .well-known document): no service owns it, and
    /// the gateway sends it to the first service that is ready.
    /// </summary>
    public static bool IsShared(string segment) =>
        segment == ".well-known" || Chronicle.Fhir.Conformance.ChronicleDefinitions.ResourceTypes.Contains(segment);

    /// <summary>
    /// Routes each of <paramref name="types"/> to <paramref name="backend"/>, as its CapabilityStatement describes them. A type
    /// another service already owns stays with that one.
    /// </summary>
    /// <returns>One warning per type left with another owner.</returns>
    public IReadOnlyList<string> Learn(FhirBackend backend, IEnumerable<string> types)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(types);
        var warnings = new List<string>();
        lock (_gate)
        {
            foreach (var type in types.Where(t => !IsShared(t)))
            {
                if (_owners.TryAdd(type, backend))
                    _served.Add(type);
                else if (_owners[type] is var owner && owner != backend)
                    warnings.Add($"{backend.Service} serves {type}, but {owner.Service} owns it; the gateway sends it to {owner.Service}.");
            }
        }

        return warnings;
    }

    /// <summary>The types routed to <paramref name="backend"/>, in name order.</summary>
    public IReadOnlyList<string> TypesOf(FhirBackend backend)
    {
        lock (_gate)
            return [.. _owners.Where(o => o.Value == backend).Select(o => o.Key).Order(StringComparer.Ordinal)];
    }

    /// <summary>The service the gateway sends <paramref name="resourceType"/> to, if any.</summary>
    public FhirBackend? Owner(string? resourceType)
    {
        if (resourceType is null)
            return null;
        lock (_gate)
            return _owners.GetValueOrDefault(resourceType);
    }

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

        if (IsShared(first))
        {
            return Backends.FirstOrDefault(b => b.State == BackendState.Ready && b.FhirBase is not null) is { } any
                ? new ForwardRoute(any, path)
                : new RefusedRoute(FhirException.Unavailable("No service is ready yet to answer this; try again shortly."));
        }

        if (Owner(first) is not { } owner)
        {
            // A service still starting has not said what it serves yet: it may serve this.
            var starting = Backends.Where(b => b.State == BackendState.Starting).Select(b => b.Service).ToList();
            return new RefusedRoute(starting.Count > 0
                ? FhirException.Unavailable($"'{first}' is not a resource type the ready services serve ({Served()}); " +
                    $"{string.Join(" and ", starting)} {(starting.Count == 1 ? "is" : "are")} starting and may serve it: try again shortly.")
                : FhirException.NotFound($"'{first}' is not a resource type this platform serves. It serves {Served()}."));
        }
        return owner.State == BackendState.Ready && owner.FhirBase is not null
            ? new ForwardRoute(owner, path)
            : new RefusedRoute(FhirException.Unavailable(owner.Unavailability()));
    }

    private static bool HttpMethodsAllowingRead(string method) =>
        Microsoft.AspNetCore.Http.HttpMethods.IsGet(method) || Microsoft.AspNetCore.Http.HttpMethods.IsHead(method);

    private string Served()
    {
        lock (_gate)
            return string.Join(", ", _served);
    }
}
