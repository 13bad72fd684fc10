using Chronicle.Record.Application;
using Chronicle.Record.Host;
using Microsoft.Extensions.Configuration;

namespace Chronicle.Record.Tests.Host;

public sealed class RecordHostSettingsTests
{
    private static RecordHostSettings From(params (string Key, string Value)[] settings) => RecordHostSettings.From(
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void GivenNoStateCacheSettings_WhenRead_ThenTheDefaultBounds()
    {
        Assert.Equal(new RecordStateCacheOptions(), From().StateCache);
    }

    [Fact]
    public void GivenStateCacheSettings_WhenRead_ThenTheCacheIsBoundedByThem()
    {
        var settings = From(("Chronicle:StateCache:MaxRecords", "0"), ("Chronicle:StateCache:MaxEvents", "1234"));

        Assert.Equal(new RecordStateCacheOptions { MaxRecords = 0, MaxEvents = 1234 }, settings.StateCache);
    }
}
