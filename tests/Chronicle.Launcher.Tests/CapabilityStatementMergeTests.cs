using Chronicle.Fhir;
using Chronicle.Launcher.Gateway;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Chronicle.Launcher.Tests;

public sealed class CapabilityStatementMergeTests
{
    private const string Gateway = "http://localhost:8080/fhir";

    [Fact]
    public void GivenTwoServices_WhenTheirStatementsAreMerged_ThenOneStatementListsEachResourceOfTheServiceTheGatewayRoutesItTo()
    {
        var routes = new FhirRouteTable([FhirRouteTableTests.Ready("record", "Patient", "Observation"), FhirRouteTableTests.Ready("audit", "AuditEvent")]);
        var record = Statement("record", "2025-01-10", "Patient", "Observation", "Spaceship");
        var audit = Statement("audit", "2025-03-01", "AuditEvent", "Patient");

        var merged = CapabilityStatementMerge.Merge([new("record", record), new("audit", audit)], routes, Gateway, "1.2.3");

        var resources = merged.Rest.Single().Resource;
        Assert.Equal(["Patient", "Observation", "AuditEvent"], resources.Select(r => r.Type));
        Assert.Equal("record-Patient", resources[0].Documentation);
        Assert.Equal($"{Gateway}/metadata", merged.Url);
        Assert.Equal(Gateway, merged.Implementation.Url);
        Assert.Equal("2025-03-01", merged.Date);
        Assert.Equal(CapabilityStatementKind.Instance, merged.Kind);
        Assert.Equal(FHIRVersion.N4_0_1, merged.FhirVersion);
        Assert.Equal("1.2.3", merged.Software.Version);
    }

    [Fact]
    public void GivenTheMergedStatement_WhenSerialized_ThenFirelyParsesItsJsonStrictly()
    {
        var routes = new FhirRouteTable([FhirRouteTableTests.Ready("record", "Patient")]);
        var merged = CapabilityStatementMerge.Merge([new("record", Statement("record", "2025-01-10", "Patient"))], routes, Gateway, "1.0.0");

        var json = FhirJson.Serialize(merged);
        var parsed = new FhirJsonDeserializer(new FhirJsonConverterOptions().UsingMode(DeserializationMode.Strict)).Deserialize<CapabilityStatement>(json);

        Assert.Equal("Patient", parsed.Rest.Single().Resource.Single().Type);
        Assert.Equal("ChronicleGateway", parsed.Name);
    }

    [Fact]
    public void GivenNoServiceDescribesARoutedType_WhenMerged_ThenItIsNotListed()
    {
        var routes = new FhirRouteTable([FhirRouteTableTests.Ready("record", "Patient", "Encounter")]);

        var merged = CapabilityStatementMerge.Merge([new("record", Statement("record", "2025-01-10", "Patient"))], routes, Gateway, "1.0.0");

        Assert.Equal(["Patient"], merged.Rest.Single().Resource.Select(r => r.Type));
    }

    /// <summary>A service's own statement, as the libs/Fhir builder makes it: each resource documented as "{service}-{type}".</summary>
    internal static CapabilityStatement Statement(string service, string date, params string[] types) => new()
    {
        Url = "http://127.0.0.1:1/fhir/metadata",
        Name = "Service",
        Status = PublicationStatus.Active,
        Date = date,
        Kind = CapabilityStatementKind.Instance,
        FhirVersion = FHIRVersion.N4_0_1,
        Format = [FhirMediaTypes.FhirJson, "json"],
        Rest =
        [
            new CapabilityStatement.RestComponent
            {
                Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                Documentation = "Read-only.",
                Resource = [.. types.Select(t => new CapabilityStatement.ResourceComponent
                {
                    Type = t,
                    Documentation = $"{service}-{t}",
                    Interaction = [new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Read }],
                })],
            },
        ],
    };
}
