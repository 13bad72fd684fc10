using Hl7.Fhir.Model;

namespace Chronicle.Launcher.Gateway;

/// <summary>One service's own CapabilityStatement.</summary>
public sealed record ServiceCapabilities(string Service, CapabilityStatement Statement);

/// <summary>
/// The platform's CapabilityStatement: one server (the gateway) listing each resource as described by the service the
/// gateway routes it to. A resource a service describes but the gateway does not route to it is left out, so everything
/// listed can be asked for.
/// </summary>
public static class CapabilityStatementMerge
{
    public static CapabilityStatement Merge(IEnumerable<ServiceCapabilities> services, FhirRouteTable routes, string gatewayBase, string softwareVersion)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(routes);
        var answered = services.ToList();
        var rest = new CapabilityStatement.RestComponent { Mode = CapabilityStatement.RestfulCapabilityMode.Server };
        var documentation = new List<string> { "One FHIR base for the Chronicle platform: each resource type is answered by the service that owns it." };
        foreach (var (service, statement) in answered)
        {
            var serverRest = statement.Rest.FirstOrDefault(r => r.Mode == CapabilityStatement.RestfulCapabilityMode.Server);
            if (serverRest is null)
                continue;
            var owned = serverRest.Resource.Where(r => routes.Owner(r.Type)?.Service == service).ToList();
            rest.Resource.AddRange(owned.Select(r => (CapabilityStatement.ResourceComponent)r.DeepCopy()));
            // What every service serves alike (Chronicle's definitions) is listed once, as the first service describes it.
            rest.Resource.AddRange(serverRest.Resource.Where(r => r.Type is { } type && FhirRouteTable.IsShared(type) && rest.Resource.All(l => l.Type != type))
                .Select(r => (CapabilityStatement.ResourceComponent)r.DeepCopy()));
            rest.Security ??= (CapabilityStatement.SecurityComponent?)serverRest.Security?.DeepCopy();
            AddMissing(rest.SearchParam, serverRest.SearchParam, p => p.Name);
            AddMissing(rest.Operation, serverRest.Operation, o => o.Name);
            if (owned.Count > 0)
                documentation.Add($"{service} ({string.Join(", ", owned.Select(r => r.Type))}): {serverRest.Documentation}".TrimEnd(' ', ':'));
        }

        rest.Documentation = string.Join(" ", documentation);
        const string description = "The Chronicle platform's FHIR R4 API through its gateway.";
        return new CapabilityStatement
        {
            Url = $"{gatewayBase}/metadata",
            Name = "ChronicleGateway",
            Title = "Chronicle FHIR gateway",
            Status = PublicationStatus.Active,
            Experimental = false,
            // The newest of the services' dates: the platform's capabilities changed when the last of them did.
            Date = answered.Select(s => s.Statement.Date).Where(d => !string.IsNullOrEmpty(d)).Max(StringComparer.Ordinal)
                ?? DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Description = description,
            Kind = CapabilityStatementKind.Instance,
            Software = new CapabilityStatement.SoftwareComponent { Name = "Chronicle", Version = softwareVersion },
            // R4 types implementation.description as string; Firely's Description setter writes markdown (R5's type).
            Implementation = new CapabilityStatement.ImplementationComponent { DescriptionElement = new FhirString(description), Url = gatewayBase },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = answered.SelectMany(s => s.Statement.Format).DefaultIfEmpty(Chronicle.Fhir.FhirMediaTypes.FhirJson).Distinct(StringComparer.Ordinal).ToList(),
            Rest = [rest],
        };
    }

    private static void AddMissing<T>(List<T> target, IEnumerable<T> source, Func<T, string?> key) where T : Base
    {
        foreach (var item in source)
        {
            if (target.All(t => key(t) != key(item)))
                target.Add((T)item.DeepCopy());
        }
    }
}
