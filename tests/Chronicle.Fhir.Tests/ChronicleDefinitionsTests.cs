using Chronicle.Fhir.Conformance;
using Chronicle.Fhir.Search;
using Hl7.Fhir.Model;

namespace Chronicle.Fhir.Tests;

/// <summary>Chronicle's published definitions, and the rule that a CapabilityStatement lists no search parameter without one.</summary>
public sealed class ChronicleDefinitionsTests
{
    [Fact]
    public void GivenEveryDefinition_WhenChecked_ThenItIsValidAtAnHttpsCanonicalUnderTheBaseWhoseLastSegmentIsItsId()
    {
        Assert.Equal(6, ChronicleDefinitions.All.Count);
        foreach (var definition in ChronicleDefinitions.All)
        {
            RecordScenario.AssertValid(definition);
            var url = ((IConformanceResource)definition).Url;
            Assert.StartsWith($"{ChronicleDefinitions.Base}/{definition.TypeName}/", url, StringComparison.Ordinal);
            Assert.StartsWith("https://", url, StringComparison.Ordinal);
            Assert.Equal(definition.Id, url.Split('/')[^1]);
            Assert.Same(definition, ChronicleDefinitions.Find(definition.TypeName, definition.Id));
            Assert.Same(definition, ChronicleDefinitions.ByUrl(url + "|1.0.0"));
        }
    }

    [Theory]
    [InlineData(ChronicleDefinitions.CorrelationIdExtension, "string")]
    [InlineData(ChronicleDefinitions.CausationIdExtension, "string")]
    [InlineData(ChronicleDefinitions.AuditChainSeqExtension, "integer")]
    public void GivenAnExtension_WhenItsDefinitionIsRead_ThenItFixesItsUrlAndTakesOneValueOfItsType(string url, string valueType)
    {
        var definition = Assert.IsType<StructureDefinition>(ChronicleDefinitions.ByUrl(url));

        Assert.Equal(("Extension", "http://hl7.org/fhir/StructureDefinition/Extension"), (definition.Type, definition.BaseDefinition));
        var value = definition.Differential.Element.Single(e => e.Path == "Extension.value[x]");
        Assert.Equal((valueType, 1), (value.Type.Single().Code, value.Min));
        Assert.Equal(url, ((FhirUri)definition.Differential.Element.Single(e => e.Path == "Extension.url").Fixed).Value);
        Assert.NotEmpty(definition.Context);
    }

    [Fact]
    public void GivenSearchParameters_WhenTheirDefinitionsAreLookedUp_ThenR4sAreR4sAChronicleOneIsItsOwnAndOneWithNeitherIsRefused()
    {
        var code = new SearchParameterDefinition("code", SearchParamType.Token, "");
        var own = new SearchParameterDefinition("organization", SearchParamType.Token, "") { Definition = ChronicleDefinitions.AuditEventOrganizationSearch };
        var undefined = new SearchParameterDefinition("colour", SearchParamType.Token, "");
        var wrongType = new SearchParameterDefinition("code", SearchParamType.String, "");

        Assert.Equal("http://hl7.org/fhir/SearchParameter/clinical-code", CapabilityStatements.DefinitionOf("Observation", code));
        Assert.Equal("http://hl7.org/fhir/SearchParameter/Resource-id",
            CapabilityStatements.DefinitionOf("Observation", new SearchParameterDefinition("_id", SearchParamType.Token, "")));
        Assert.Equal(ChronicleDefinitions.AuditEventOrganizationSearch, CapabilityStatements.DefinitionOf("AuditEvent", own));
        Assert.Contains("Observation?colour (Token) is not an R4 search parameter",
            Assert.Throws<InvalidOperationException>(() => CapabilityStatements.DefinitionOf("Observation", undefined)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => CapabilityStatements.DefinitionOf("Observation", wrongType));
    }

    [Fact]
    public void GivenSmartEndpoints_WhenPublished_ThenRestSecurityNamesSmartWithTheOAuthUrisAndTheWellKnownDocumentAgrees()
    {
        var endpoints = new SmartEndpoints(new Uri("https://identity.example/"), new Uri("https://identity.example/connect/authorize"),
            new Uri("https://identity.example/connect/token"))
        {
            GrantTypes = ["authorization_code", "client_credentials"], CodeChallengeMethods = ["S256"], TokenEndpointAuthMethods = ["client_secret_basic"],
        };

        var security = SmartConfiguration.Security(endpoints);
        var document = SmartConfiguration.Document(endpoints);

        Assert.Equal(("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR"),
            (security.Service.Single().Coding.Single().System, security.Service.Single().Coding.Single().Code));
        var uris = security.GetExtension(SmartConfiguration.OAuthUrisExtension);
        Assert.Equal(["token", "authorize"], uris.Extension.Select(e => e.Url));
        Assert.Equal("https://identity.example/connect/token", ((FhirUri)uris.GetExtension("token").Value).Value);
        Assert.Equal(("https://identity.example/connect/token", "https://identity.example/connect/authorize", "S256"),
            ((string?)document["token_endpoint"], (string?)document["authorization_endpoint"], (string?)document["code_challenge_methods_supported"]![0]));
    }
}
