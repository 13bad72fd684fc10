using Chronicle.Launcher.Catalog;
using Chronicle.Launcher.Platform;

namespace Chronicle.Launcher.Tests;

public sealed class ServiceLocationsTests : IDisposable
{
    private readonly string _services = Directory.CreateDirectory(Path.Combine(Directory.CreateTempSubdirectory("chronicle-launcher-services-").FullName, "services")).FullName;

    private static readonly ServiceDefinition Sample = new("Sample")
    {
        Ports = [new("HTTP", "Chronicle:Ports:Http", "Chronicle Sample listening on ")],
        Readiness = new("HTTP", "/readyz"),
    };

    [Fact]
    public void GivenNoProject_WhenAskedWhyNotRunnable_ThenTheServiceIsNotBuiltYet() =>
        Assert.StartsWith("not built yet: there is no " + Path.Combine("services", "Sample", "Chronicle.Sample.csproj"), Locations().WhyNotRunnable(Sample), StringComparison.Ordinal);

    [Fact]
    public void GivenAProjectWithoutItsBuild_WhenAskedWhyNotRunnable_ThenTheServiceIsNotBuiltYetAndTheMessageSaysHowToBuild()
    {
        Directory.CreateDirectory(Path.Combine(_services, "Sample"));
        File.WriteAllText(Path.Combine(_services, "Sample", "Chronicle.Sample.csproj"), "<Project />");

        Assert.Contains("dotnet build -c Release", Locations().WhyNotRunnable(Sample), StringComparison.Ordinal);
    }

    [Fact]
    public void GivenTheBuiltAssembly_WhenAskedWhyNotRunnable_ThenTheServiceRunsUnlessTheTableSaysItIsNotAServiceYet()
    {
        var locations = Locations();
        Directory.CreateDirectory(Path.GetDirectoryName(locations.Assembly(Sample))!);
        File.WriteAllText(Path.Combine(_services, "Sample", "Chronicle.Sample.csproj"), "<Project />");
        File.WriteAllText(locations.Assembly(Sample), "");

        Assert.Null(locations.WhyNotRunnable(Sample));
        Assert.Equal(Path.Combine(_services, "Sample", "bin", "Release", "net10.0", "Chronicle.Sample.dll"), locations.Assembly(Sample));
        Assert.StartsWith("not a service yet: a verifier", locations.WhyNotRunnable(Sample with { NotAServiceYet = "a verifier" }), StringComparison.Ordinal);
    }

    [Fact]
    public void GivenThisBuild_WhenItsServicesAreLocated_ThenTheyAreBesideTheLauncher()
    {
        var locations = ServiceLocations.OfThisBuild();

        Assert.True(File.Exists(Path.Combine(locations.ServicesDirectory, "Launcher", "Chronicle.Launcher.csproj")));
        Assert.Null(locations.WhyNotRunnable(ServiceCatalog.All.Single(s => s.Name == "Record")));
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_services)!, recursive: true);

    private ServiceLocations Locations() => new(_services, "Release", "net10.0");
}
