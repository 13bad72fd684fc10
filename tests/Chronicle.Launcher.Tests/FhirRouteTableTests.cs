using System.Net;
using Chronicle.Launcher.Gateway;

namespace Chronicle.Launcher.Tests;

public sealed class FhirRouteTableTests
{
    private readonly FhirBackend _record = Ready("record", "Patient", "Observation");
    private readonly FhirBackend _audit = new("audit", ["AuditEvent"]);

    [Theory]
    [InlineData("/Patient/1", "record")]
    [InlineData("/Patient", "record")]
    [InlineData("/Patient/1/_history/2", "record")]
    [InlineData("/Patient/1/$everything", "record")]
    [InlineData("/Observation", "record")]
    public void GivenAReadyOwner_WhenItsResourceTypeIsAskedFor_ThenTheRequestGoesToItWithThePathBelowTheBase(string path, string service)
    {
        var route = Assert.IsType<ForwardRoute>(Table().Resolve("GET", path));

        Assert.Equal(service, route.Backend.Service);
        Assert.Equal(path, route.Path);
    }

    [Fact]
    public void GivenMetadata_WhenResolved_ThenTheGatewayAnswersItOnlyForReads()
    {
        Assert.IsType<MetadataRoute>(Table().Resolve("GET", "/metadata"));
        Assert.IsType<MetadataRoute>(Table().Resolve("HEAD", "/metadata"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, Refusal(Table().Resolve("POST", "/metadata")).Status);
    }

    [Theory]
    [InlineData("/Spaceship/1")]
    [InlineData("/patient/1")]
    [InlineData("/_history")]
    [InlineData("")]
    [InlineData("/")]
    public void GivenNoOwner_WhenResolved_ThenTheAnswerIs404NamingWhatIsServed(string path)
    {
        var refusal = Refusal(Table().Resolve("GET", path));

        Assert.Equal(HttpStatusCode.NotFound, refusal.Status);
        Assert.Contains("Patient, Observation, AuditEvent", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAnOwnerThatIsNotRunning_WhenResolved_ThenTheAnswerIs503SayingWhy()
    {
        _audit.NotRunning("not built yet");

        var refusal = Refusal(Table().Resolve("GET", "/AuditEvent"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refusal.Status);
        Assert.Contains("audit", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("not built yet", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAnOwnerStillStartingOrStopped_WhenResolved_ThenTheAnswerIs503()
    {
        var starting = new FhirBackend("record", ["Patient"]);
        starting.Starting(new Uri("http://127.0.0.1:1/fhir"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, Refusal(new FhirRouteTable([starting]).Resolve("GET", "/Patient/1")).Status);

        starting.Ready();
        Assert.IsType<ForwardRoute>(new FhirRouteTable([starting]).Resolve("GET", "/Patient/1"));

        starting.Stopped("the platform is stopping");
        var refusal = Refusal(new FhirRouteTable([starting]).Resolve("GET", "/Patient/1"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refusal.Status);
        Assert.Contains("the platform is stopping", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAServiceStillStarting_WhenATypeNoReadyServiceServesIsAskedFor_ThenTheAnswerIs503NamingIt()
    {
        var starting = new FhirBackend("audit", []);
        starting.Starting(new Uri("http://127.0.0.1:1/fhir"));

        var refusal = Refusal(new FhirRouteTable([_record, starting]).Resolve("GET", "/AuditEvent"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refusal.Status);
        Assert.Contains("audit is starting and may serve it", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenTypesLearnedFromAServicesStatement_WhenResolved_ThenTheyGoToItAndATypeAlreadyOwnedStaysWithItsOwner()
    {
        var table = new FhirRouteTable([_record, _audit]);

        var warnings = table.Learn(_audit, ["AuditEvent", "Observation", "Consent"]);

        Assert.Equal("audit", table.Owner("Consent")!.Service);
        Assert.Equal("record", table.Owner("Observation")!.Service);
        Assert.Equal(["AuditEvent", "Consent"], table.TypesOf(_audit));
        Assert.Equal("audit serves Observation, but record owns it; the gateway sends it to record.", Assert.Single(warnings));
    }

    [Theory]
    [InlineData("/StructureDefinition/correlation-id")]
    [InlineData("/SearchParameter")]
    [InlineData("/.well-known/smart-configuration")]
    public void GivenWhatEveryServiceServesAlike_WhenResolvedOrLearned_ThenItGoesToAReadyServiceAndNoServiceOwnsIt(string path)
    {
        var starting = new FhirBackend("audit", []);
        starting.Starting(new Uri("http://127.0.0.1:1/fhir"));
        var table = new FhirRouteTable([starting, _record]);

        var warnings = table.Learn(starting, ["StructureDefinition", "SearchParameter", "OperationDefinition"]);

        Assert.Empty(warnings);
        Assert.Null(table.Owner("StructureDefinition"));
        Assert.Equal("record", Assert.IsType<ForwardRoute>(table.Resolve("GET", path)).Backend.Service);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, Refusal(new FhirRouteTable([starting]).Resolve("GET", path)).Status);
    }

    [Fact]
    public void GivenTwoServicesClaimingOneType_WhenTheTableIsBuilt_ThenItIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new FhirRouteTable([_record, new FhirBackend("other", ["Observation"])]));

        Assert.Contains("Observation is owned by both record and other", error.Message, StringComparison.Ordinal);
    }

    internal static FhirBackend Ready(string service, params string[] types)
    {
        var backend = new FhirBackend(service, types);
        backend.Starting(new Uri($"http://127.0.0.1:1/{service}/fhir"));
        backend.Ready();
        return backend;
    }

    private static Chronicle.Fhir.FhirException Refusal(GatewayRoute route) => Assert.IsType<RefusedRoute>(route).Error;

    private FhirRouteTable Table() => new([_record, _audit]);
}
