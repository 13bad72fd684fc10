using Chronicle.Launcher.Processes;

namespace Chronicle.Launcher.Tests;

public sealed class ServiceLineClassifierTests
{
    [Theory]
    [InlineData("Chronicle demo: password for every account is demo", ServiceLineKind.Demo)]
    [InlineData("Chronicle Record demo: try http://127.0.0.1:5100/fhir/Patient/1", ServiceLineKind.Demo)]
    [InlineData("Demo credentials (password for every account: x)", ServiceLineKind.Demo)]
    [InlineData("Chronicle Record FHIR listening on http://127.0.0.1:5100/fhir", ServiceLineKind.Milestone)]
    [InlineData("warn: Microsoft.AspNetCore.Server.Kestrel[0] Overriding address(es)", ServiceLineKind.Problem)]
    [InlineData("fail: Chronicle.Record[1] The projection stopped", ServiceLineKind.Problem)]
    [InlineData("crit: Microsoft.Hosting.Lifetime[6] Host terminated", ServiceLineKind.Problem)]
    [InlineData("info: Microsoft.Hosting.Lifetime[0] Application started.", ServiceLineKind.Detail)]
    [InlineData("Chronicles of nothing", ServiceLineKind.Detail)]
    public void GivenALine_WhenClassified_ThenItsKindFollowsTheConvention(string line, ServiceLineKind kind) =>
        Assert.Equal(kind, new ServiceLineClassifier().Classify(line, fromStandardError: false));

    [Fact]
    public void GivenStandardError_WhenALineIsClassified_ThenItIsAProblem() =>
        Assert.Equal(ServiceLineKind.Problem, new ServiceLineClassifier().Classify("Chronicle Record: Chronicle:Ports:Fhir must be a TCP port", fromStandardError: true));

    [Fact]
    public void GivenIndentedLinesUnderADemoHeaderOrAProblem_WhenClassified_ThenTheyBelongToIt()
    {
        var classifier = new ServiceLineClassifier();

        Assert.Equal(ServiceLineKind.Demo, classifier.Classify("Demo credentials (password for every account: x)", false));
        Assert.Equal(ServiceLineKind.Demo, classifier.Classify("  staff at A81001: gp.a81001", false));
        Assert.Equal(ServiceLineKind.Detail, classifier.Classify("info: started", false));
        Assert.Equal(ServiceLineKind.Detail, classifier.Classify("  an indented detail", false));
        Assert.Equal(ServiceLineKind.Problem, classifier.Classify("fail: Something[1] broke", false));
        Assert.Equal(ServiceLineKind.Problem, classifier.Classify("   at Chronicle.Something.Run()", false));
    }
}
