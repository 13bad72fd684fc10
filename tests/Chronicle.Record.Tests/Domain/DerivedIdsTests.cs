using Chronicle.Record.Domain;

namespace Chronicle.Record.Tests.Domain;

public class DerivedIdsTests
{
    [Fact]
    public void GivenSameCommandId_WhenIdsDerivedTwice_ThenEqual()
    {
        var command = Guid.NewGuid();

        Assert.Equal(DerivedIds.Event(command, 3), DerivedIds.Event(command, 3));
        Assert.NotEqual(DerivedIds.Event(command, 0), DerivedIds.Event(command, 1));
        Assert.NotEqual(DerivedIds.Event(command, 0), DerivedIds.Entry(command, 0));
        Assert.NotEqual(DerivedIds.Event(command, 0), DerivedIds.Event(Guid.NewGuid(), 0));
    }

    [Fact]
    public void GivenRfcNamespaceExample_WhenVersion5Derived_ThenMatchesKnownUuid()
    {
        // The DNS namespace and "www.example.com" give this well-known version 5 UUID (RFC 9562 appendix).
        var dns = Guid.Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

        Assert.Equal(Guid.Parse("2ed6657d-e927-568b-95e1-2665a8aea6a2"), DerivedIds.Create(dns, "www.example.com"));
    }

    [Fact]
    public void GivenVersion7CommandIds_WhenEventIdsDerived_ThenTheyAreVersion8AndSortByCommandTime()
    {
        var earlier = Guid.CreateVersion7(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var later = Guid.CreateVersion7(new DateTimeOffset(2026, 11, 25, 9, 0, 1, TimeSpan.Zero));

        var earlierEvent = DerivedIds.Event(earlier, 7);
        var laterEvent = DerivedIds.Event(later, 0);

        Assert.Equal(8, earlierEvent.Version);
        Assert.Equal(earlier.ToString()[..13], earlierEvent.ToString()[..13]);
        Assert.True(string.CompareOrdinal(earlierEvent.ToString(), laterEvent.ToString()) < 0);
        Assert.Equal(DerivedIds.Event(earlier, 7), earlierEvent);
        Assert.NotEqual(DerivedIds.Event(earlier, 6), earlierEvent);
    }
}
