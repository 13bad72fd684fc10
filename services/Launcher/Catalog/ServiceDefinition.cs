namespace Chronicle.Launcher.Catalog;

/// <summary>What a listener carries: HTTP/1.1 (FHIR, health, other REST) or gRPC over HTTP/2 cleartext.</summary>
public enum PortProtocol
{
    Http,
    Grpc,
}

/// <summary>
/// One listener of a service: its name in the table, the setting that sets its port, and the start of the line the
/// service prints once it listens there (the URL follows it): <c>ServiceBanner.ListeningPrefix</c>, as the service's host prints it.
/// </summary>
public sealed record ServicePort(string Name, string Setting, string ListeningLine, PortProtocol Protocol = PortProtocol.Http);

/// <summary>A path on one of the service's listeners, e.g. <c>/readyz</c> on the FHIR port.</summary>
public sealed record ServiceEndpoint(string Port, string Path);

/// <summary>
/// The FHIR REST API a service serves: on which listener and under which path. The resource types it owns are those its
/// own CapabilityStatement describes, which the gateway reads once the service is ready.
/// </summary>
public sealed record FhirApi(string Port, string Path);

/// <summary>
/// One service of the platform as the launcher runs it: <c>services/{Name}/bin/{Configuration}/net10.0/Chronicle.{Name}.dll</c>,
/// started with a port for each listener, its own data directory, the direct transport and <see cref="Arguments"/>.
/// </summary>
public sealed record ServiceDefinition(string Name)
{
    /// <summary>The service's app id on the direct transport (and under Dapr).</summary>
    public string AppId => Name.ToLowerInvariant();

    public string AssemblyName => $"Chronicle.{Name}";

    public required IReadOnlyList<ServicePort> Ports { get; init; }

    /// <summary>Answers 200 once the service can take traffic.</summary>
    public required ServiceEndpoint Readiness { get; init; }

    public FhirApi? Fhir { get; init; }

    /// <summary>The setting that points the service at its own folder under the launcher's data directory.</summary>
    public string DataDirectorySetting { get; init; } = "Chronicle:DataDirectory";

    /// <summary>Arguments before the settings, e.g. a verb.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Added with <c>--demo</c>.</summary>
    public IReadOnlyList<string> DemoArguments { get; init; } = [];

    /// <summary>
    /// Set while the project under <c>services/{Name}</c> is built but is not yet the service the launcher expects; the
    /// launcher then skips it with this reason instead of starting something that is not a server.
    /// </summary>
    public string? NotAServiceYet { get; init; }

    /// <summary>
    /// Enforces access tokens (libs/Security): the launcher points it at the Identity service
    /// (<c>Chronicle:Security:Authority</c>; its Access service by app id) or, when Identity cannot run, disables it loudly.
    /// </summary>
    public bool EnforcesTokens { get; init; }

    /// <summary>The authorization server every <see cref="EnforcesTokens"/> service trusts.</summary>
    public bool IsIdentity => Name == "Identity";

    public ServicePort? GrpcPort => Ports.FirstOrDefault(p => p.Protocol == PortProtocol.Grpc);

    public ServicePort Port(string name) => Ports.FirstOrDefault(p => p.Name == name)
        ?? throw new InvalidOperationException($"The {Name} service has no port named '{name}'.");
}
