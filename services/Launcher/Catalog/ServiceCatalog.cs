namespace Chronicle.Launcher.Catalog;

/// <summary>
/// The services the launcher runs, in start order. Adding a service is one entry here (and a ProjectReference in
/// Chronicle.Launcher.csproj so that building the launcher builds it); a service that is not built is skipped.
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
                new("HTTP", "Chronicle:Ports:Http", "Chronicle Identity listening on "),
                new("gRPC", "Chronicle:Ports:Grpc", "Chronicle Identity gRPC (chronicle.identity.v1.Access) on ", PortProtocol.Grpc),
            ],
            Readiness = new("HTTP", "/health"),
            DemoArguments = ["--demo"],
        },
        new("Record")
        {
            Arguments = ["serve"],
            EnforcesTokens = true,
            Ports =
            [
                new("FHIR", "Chronicle:Ports:Fhir", "Chronicle Record FHIR listening on "),
                new("gRPC", "Chronicle:Ports:Grpc", "Chronicle Record gRPC listening on ", PortProtocol.Grpc),
            ],
            Readiness = new("FHIR", "/readyz"),
            Fhir = new("FHIR", "/fhir",
            [
                "Patient", "Encounter", "Condition", "Observation", "AllergyIntolerance", "MedicationStatement", "Immunization",
                "ServiceRequest", "DocumentReference", "FamilyMemberHistory", "Provenance",
            ]),
            DemoArguments = ["--demo", "20"],
        },
        new("Audit")
        {
            EnforcesTokens = true,
            Ports =
            [
                new("HTTP", "Chronicle:Ports:Http", "Chronicle Audit HTTP listening on "),
                new("gRPC", "Chronicle:Ports:Grpc", "Chronicle Audit gRPC listening on ", PortProtocol.Grpc),
            ],
            Readiness = new("HTTP", "/readyz"),
            Fhir = new("HTTP", "/fhir", ["AuditEvent"]),
        },
    ];
}
