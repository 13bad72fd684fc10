using System.Net;
using System.Text.Json;
using Chronicle.Fhir;
using Chronicle.Fhir.Conformance;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

// Assertions walk into Firely POCOs whose members are all nullable; a null there fails the test anyway.
#nullable disable warnings

namespace Chronicle.Identity.Tests;

/// <summary>
/// Each service's CapabilityStatement, read as a client would and tried claim by claim against the real Record and Audit
/// services with real tokens: every interaction, search parameter, include and operation it lists answers; every search
/// parameter and operation names a definition that resolves (R4's, or Chronicle's from the server itself); and its
/// SMART security says where the Identity service issues tokens, as the .well-known document does.
/// </summary>
[Collection(RealServicesCollection.Name)]
public sealed class CapabilityStatementWalkTests(RealServicesFixture services)
{
    public static TheoryData<string> Servers => ["record", "audit"];

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task GivenAServicesCapabilityStatement_WhenEveryClaimIsTried_ThenEachAnswersAsClaimed(string server)
    {
        var fhirBase = server == "record" ? services.RecordFhir : new Uri(services.AuditHttp, "fhir/");
        var token = server == "record" ? await services.GpTokenAsync() : await services.AuditorTokenAsync();
        using var http = RealServicesFixture.Http(token);
        using var anonymous = new HttpClient();
        var statement = FhirJson.Deserialize<CapabilityStatement>(await anonymous.GetStringAsync(new Uri(fhirBase, "metadata")));
        var rest = statement.Rest.Single();
        var tried = new List<string>();

        foreach (var resource in rest.Resource)
        {
            var type = resource.Type!;
            var client = ChronicleDefinitions.ResourceTypes.Contains(type) ? anonymous : http;
            var scope = Scope(type);
            foreach (var interaction in resource.Interaction.Select(i => i.Code!.Value))
            {
                switch (interaction)
                {
                    case CapabilityStatement.TypeRestfulInteraction.SearchType:
                        await AssertBundleAsync(client, new Uri(fhirBase, $"{type}?{scope}"), Bundle.BundleType.Searchset);
                        break;
                    case CapabilityStatement.TypeRestfulInteraction.Read:
                        var one = await AnyAsync(client, fhirBase, type, scope);
                        if (one is null)
                        {
                            using var missing = await client.GetAsync(new Uri(fhirBase, $"{type}/{Guid.NewGuid()}"));
                            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
                            Assert.IsType<OperationOutcome>(FhirJson.Deserialize<Resource>(await missing.Content.ReadAsStringAsync()));
                        }
                        else
                        {
                            var read = await ReadAsync(client, new Uri(fhirBase, $"{type}/{one.Id}"));
                            Assert.Equal((type, one.Id), (read.TypeName, read.Id));
                        }

                        break;
                    case CapabilityStatement.TypeRestfulInteraction.Vread when await AnyAsync(client, fhirBase, type, scope) is { } versioned:
                        Assert.Equal(versioned.Meta.VersionId, (await ReadAsync(client, new Uri(fhirBase, $"{type}/{versioned.Id}/_history/{versioned.Meta.VersionId}"))).Meta.VersionId);
                        break;
                    case CapabilityStatement.TypeRestfulInteraction.HistoryInstance when await AnyAsync(client, fhirBase, type, scope) is { } withHistory:
                        await AssertBundleAsync(client, new Uri(fhirBase, $"{type}/{withHistory.Id}/_history"), Bundle.BundleType.History);
                        break;
                    case CapabilityStatement.TypeRestfulInteraction.Vread or CapabilityStatement.TypeRestfulInteraction.HistoryInstance:
                        break; // nothing of this type to ask about in the demo data; read above showed the type is served
                    default:
                        Assert.Fail($"{server} claims {interaction} on {type}, which this walk does not know how to try.");
                        break;
                }

                tried.Add($"{type}:{interaction}");
            }

            Assert.Equal(resource.Interaction.Any(i => i.Code == CapabilityStatement.TypeRestfulInteraction.Vread),
                resource.Versioning == CapabilityStatement.ResourceVersionPolicy.Versioned);

            foreach (var parameter in resource.SearchParam)
            {
                // The parameter that names the patient for access is tried with that patient.
                var query = scope.StartsWith(parameter.Name + "=", StringComparison.Ordinal)
                    ? scope
                    : $"{scope}&{parameter.Name}={Uri.EscapeDataString(ValueFor(parameter))}";
                await AssertBundleAsync(client, new Uri(fhirBase, $"{type}?{query}"), Bundle.BundleType.Searchset);
                await AssertDefinedAsync(anonymous, fhirBase, parameter.Definition, "SearchParameter", parameter.Name!);
                tried.Add($"{type}?{parameter.Name}");
            }

            foreach (var include in resource.SearchInclude)
                await AssertBundleAsync(client, new Uri(fhirBase, $"{type}?{scope}&_include={include}"), Bundle.BundleType.Searchset);

            foreach (var operation in resource.Operation)
            {
                Assert.Equal("Patient", type);
                var returns = operation.Name switch
                {
                    "everything" => Bundle.BundleType.Searchset,
                    "summary" => Bundle.BundleType.Document,
                    _ => throw new Xunit.Sdk.XunitException($"{server} claims ${operation.Name}, which this walk does not know how to try."),
                };
                await AssertBundleAsync(client, new Uri(fhirBase, $"Patient/{services.PatientAtA}/${operation.Name}"), returns);
                await AssertDefinedAsync(anonymous, fhirBase, operation.Definition, "OperationDefinition", operation.Name!);
            }
        }

        Assert.Contains("StructureDefinition:Read", tried);
        if (server == "record")
            Assert.Equal(["everything", "summary"], rest.Resource.Single(r => r.Type == "Patient").Operation.Select(o => o.Name));
        Assert.Contains(server == "record" ? "Observation?code" : "AuditEvent?organization", tried);
        await AssertSmartAsync(anonymous, fhirBase, rest);
    }

    [Fact]
    public async Task GivenTheServedResources_WhenTheirExtensionsAreLookedUp_ThenEachIsAChronicleDefinitionTheServerServesWithItsValueType()
    {
        using var auditor = RealServicesFixture.Http(await services.AuditorTokenAsync());
        using var gp = RealServicesFixture.Http(await services.GpTokenAsync());
        using var anonymous = new HttpClient();
        var everything = FhirJson.Deserialize<Bundle>(await gp.GetStringAsync(new Uri(services.RecordFhir, $"Patient/{services.PatientAtA}/$everything")));
        var audit = FhirJson.Deserialize<Bundle>(await auditor.GetStringAsync(new Uri(services.AuditHttp, "fhir/AuditEvent?_count=5")));

        var extensions = everything.Entry.Concat(audit.Entry).Select(e => e.Resource).OfType<DomainResource>().SelectMany(r => r.Extension).ToList();

        Assert.Contains(extensions, e => e.Url == ChronicleDefinitions.AuditChainSeqExtension);
        foreach (var group in extensions.GroupBy(e => e.Url))
        {
            Assert.StartsWith(ChronicleDefinitions.Base + "/StructureDefinition/", group.Key, StringComparison.Ordinal);
            var definition = await ReadAsync(anonymous, new Uri(services.RecordFhir, $"StructureDefinition/{group.Key.Split('/')[^1]}"));
            var valueType = Assert.IsType<StructureDefinition>(definition).Differential.Element.Single(e => e.Path == "Extension.value[x]").Type.Single().Code;
            Assert.All(group, e => Assert.Equal(valueType, e.Value.TypeName));
        }
    }

    /// <summary>What a search of <paramref name="type"/> needs to be allowed for the caller: the patient, for the record's clinical types.</summary>
    private string Scope(string type) => type switch
    {
        "Patient" => $"_id={services.PatientAtA}",
        "AuditEvent" or "StructureDefinition" or "SearchParameter" or "OperationDefinition" => "_count=5",
        _ => $"patient={services.PatientAtA}",
    };

    private string ValueFor(CapabilityStatement.SearchParamComponent parameter) => (parameter.Name, parameter.Type) switch
    {
        ("_id", _) => Guid.NewGuid().ToString(),
        ("patient", _) => $"Patient/{services.PatientAtA}",
        (_, SearchParamType.Reference) => $"Practitioner/{Guid.NewGuid()}",
        (_, SearchParamType.Token) => "not-a-code",
        (_, SearchParamType.Date) => "ge2000-01-01",
        (_, SearchParamType.String) => "Smi",
        (_, SearchParamType.Uri) => "https://example.org/nothing",
        _ => throw new InvalidOperationException($"No test value for a {parameter.Type} parameter ({parameter.Name})."),
    };

    private static async Task<Resource?> AnyAsync(HttpClient client, Uri fhirBase, string type, string scope)
    {
        var bundle = await AssertBundleAsync(client, new Uri(fhirBase, $"{type}?{scope}"), Bundle.BundleType.Searchset);
        return bundle.Entry.Select(e => e.Resource).FirstOrDefault(r => r?.TypeName == type);
    }

    private static async Task<Resource> ReadAsync(HttpClient client, Uri url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} answered {(int)response.StatusCode}: {body}");
        return FhirJson.Deserialize<Resource>(body);
    }

    private static async Task<Bundle> AssertBundleAsync(HttpClient client, Uri url, Bundle.BundleType type)
    {
        var bundle = Assert.IsType<Bundle>(await ReadAsync(client, url));
        Assert.Equal(type, bundle.Type);
        return bundle;
    }

    /// <summary>R4's definitions are R4's (Firely knows each); Chronicle's are served by the server, under the URL it names.</summary>
    private static async Task AssertDefinedAsync(HttpClient anonymous, Uri fhirBase, string? canonical, string definitionType, string code)
    {
        Assert.False(string.IsNullOrEmpty(canonical), $"{code} names no definition");
        if (canonical!.StartsWith("http://hl7.org/fhir/", StringComparison.Ordinal))
        {
            Assert.True(ModelInfo.SearchParameters.Any(p => p.Url == canonical) || canonical.EndsWith("/Resource-id", StringComparison.Ordinal)
                || canonical.EndsWith("/Resource-lastUpdated", StringComparison.Ordinal) || definitionType == "OperationDefinition", $"{canonical} is not R4's");
            return;
        }

        Assert.StartsWith(ChronicleDefinitions.Base + "/", canonical, StringComparison.Ordinal);
        var found = await AssertBundleAsync(anonymous, new Uri(fhirBase, $"{definitionType}?url={Uri.EscapeDataString(canonical)}"), Bundle.BundleType.Searchset);
        var definition = Assert.Single(found.Entry).Resource;
        Assert.Equal(canonical, ((IConformanceResource)definition).Url);
        Assert.Equal(code, definition switch { SearchParameter p => p.Code, OperationDefinition o => o.Code, _ => null });
    }

    private async Task AssertSmartAsync(HttpClient anonymous, Uri fhirBase, CapabilityStatement.RestComponent rest)
    {
        var security = rest.Security ?? throw new Xunit.Sdk.XunitException("The statement has no rest.security.");
        Assert.Contains(security.Service.SelectMany(s => s.Coding), c => c.Code == "SMART-on-FHIR");
        var uris = security.GetExtension(SmartConfiguration.OAuthUrisExtension);
        var token = ((FhirUri)uris.GetExtension("token").Value).Value;
        var authorize = ((FhirUri)uris.GetExtension("authorize").Value).Value;
        using var wellKnown = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri(fhirBase, ".well-known/smart-configuration")));

        Assert.Equal(new Uri(services.Identity.Issuer, "connect/token").ToString(), token);
        Assert.Equal(new Uri(services.Identity.Issuer, "connect/authorize").ToString(), authorize);
        Assert.Equal((token, authorize), (wellKnown.RootElement.GetProperty("token_endpoint").GetString(), wellKnown.RootElement.GetProperty("authorization_endpoint").GetString()));
        Assert.Contains("S256", wellKnown.RootElement.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(m => m.GetString()));
    }
}
