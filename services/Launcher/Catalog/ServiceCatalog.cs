using Chronicle.ServiceDefaults;

namespace Chronicle.Launcher.Catalog;

/// <summary>
/// The services the launcher runs, in start order. Adding a service is one entry here (and a ProjectReference in
/// Chronicle.Launcher.csproj so that building the launcher builds it); a service that is not built is skipped. Each
/// listener's line is the one the service's own host prints, from the same <see cref="ServiceBanner"/>.
/// </summary>
public static class ServiceCatalog
{
    public static IReadOnlyList<ServiceDefinition> All { get; } =
    [
        // First: the others check every request's token against it.
        new("Identity")
        {
            Ports =
            [
                new("HTTP", "Chronicle:Ports:Http", new ServiceBanner("Identity").ListeningPrefix("")),
                new("gRPC", "Chronicle:Ports:Grpc", new ServiceBanner("Identity").ListeningPrefix("gRPC"), PortProtocol.Grpc),
            ],
            Readiness = new("HTTP", ServiceHealth.ReadinessPath),
            DemoArguments = ["--demo"],
        },
        new("Record")
        {
            Arguments = ["serve"],
            EnforcesTokens = true,
            Ports =
            [
                new("FHIR", "Chronicle:Ports:Fhir", new ServiceBanner("Record").ListeningPrefix("FHIR")),
                new("gRPC", "Chronicle:Ports:Grpc", new ServiceBanner("Record").ListeningPrefix("gRPC"), PortProtocol.Grpc),
            ],
            Readiness = new("FHIR", ServiceHealth.ReadinessPath),
            Fhir = new("FHIR", "/fhir"),
            DemoArguments = ["--demo", "20"],
        },
        new("Audit")
        {
            EnforcesTokens = true,
            Ports =
            [
                new("HTTP", "Chronicle:Ports:Http", new ServiceBanner("Audit").ListeningPrefix("HTTP")),
                new("gRPC", "Chronicle:Ports:Grpc", new ServiceBanner("Audit").ListeningPrefix("gRPC"), PortProtocol.Grpc),
            ],
            Readiness = new("HTTP", ServiceHealth.ReadinessPath),
            Fhir = new("HTTP", "/fhir"),
        },
    ];
}
