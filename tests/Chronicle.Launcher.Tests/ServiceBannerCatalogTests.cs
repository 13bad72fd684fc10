using Chronicle.Audit.Host;
using Chronicle.Identity.Hosting;
using Chronicle.Launcher.Catalog;
using Chronicle.Record.Host;
using Chronicle.ServiceDefaults;

namespace Chronicle.Launcher.Tests;

/// <summary>
/// Each service's listening lines, formatted by its own host definition as the service prints them, are read back by the
/// launcher's catalog: a listener renamed on one side and not the other fails here, not in a launcher that never finds a URL.
/// </summary>
public sealed class ServiceBannerCatalogTests
{
    private static readonly string[] HostedServices = ["Identity", "Record", "Audit"];

    public static TheoryData<string> Services => new(HostedServices);

    [Theory]
    [MemberData(nameof(Services))]
    public void GivenTheLinesAServicePrints_WhenTheCatalogReadsThem_ThenEachOfItsPortsGetsItsOwnUrl(string service)
    {
        var catalog = ServiceCatalog.All.Single(s => s.Name == service);
        var (banner, printed) = Printed(service);

        Assert.Equal(catalog.Name, banner.Service);
        Assert.Equal(printed.Count, catalog.Ports.Count);
        foreach (var port in catalog.Ports)
        {
            var read = printed.Where(p => ServiceBanner.TryReadUrl(p.Line, port.ListeningLine, out _)).ToList();
            var line = Assert.Single(read);
            Assert.True(ServiceBanner.TryReadUrl(line.Line, port.ListeningLine, out var url));
            Assert.Equal(line.Url, url.OriginalString);
        }
    }

    [Fact]
    public void GivenEveryServiceInTheCatalog_WhenMatchedToHostDefinitions_ThenEachHasOneHere() =>
        Assert.Equal(ServiceCatalog.All.Select(s => s.Name).Order(), HostedServices.Order());

    private static (ServiceBanner Banner, IReadOnlyList<(string Line, string Url)> Lines) Printed(string service) => service switch
    {
        "Identity" => Lines(IdentityHost.Definition),
        "Record" => Lines(RecordHost.Definition),
        "Audit" => Lines(AuditHost.Definition),
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, "No host definition for this service."),
    };

    /// <summary>One line per listener, each with its own URL (with and without a path) and a note after it, as a host prints them.</summary>
    private static (ServiceBanner, IReadOnlyList<(string, string)>) Lines<TSettings>(ServiceHostDefinition<TSettings> definition)
        where TSettings : class =>
        (definition.Banner, definition.Listening.Select((listener, i) =>
        {
            var url = i % 2 == 0 ? $"http://127.0.0.1:{6000 + i}/fhir" : $"http://127.0.0.1:{6000 + i}";
            return (definition.ListeningLine(listener.Listener, url, "(a note after the URL)"), url);
        }).ToList());
}
