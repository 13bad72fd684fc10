namespace Chronicle.Commands.Tests;

public sealed class CommandIdsTests
{
    [Fact]
    public void GivenRfcNamespaceExample_WhenVersion5Derived_ThenMatchesKnownUuid()
    {
        // The DNS namespace and "www.example.com" give this well-known version 5 UUID (RFC 9562 appendix).
        var dns = Guid.Parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

        Assert.Equal(Guid.Parse("2ed6657d-e927-568b-95e1-2665a8aea6a2"), CommandIds.Create(dns, "www.example.com"));
    }

    [Fact]
    public void GivenVersion7CommandIds_WhenEventIdsDerived_ThenStableVersion8AndSortedByCommandTime()
    {
        var earlier = Guid.CreateVersion7(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var later = Guid.CreateVersion7(new DateTimeOffset(2026, 11, 25, 9, 0, 1, TimeSpan.Zero));

        Assert.Equal(CommandIds.Event(earlier, 3), CommandIds.Event(earlier, 3));
        Assert.NotEqual(CommandIds.Event(earlier, 3), CommandIds.Event(earlier, 4));
        Assert.Equal(8, CommandIds.Event(earlier, 3).Version);
        Assert.True(string.CompareOrdinal(CommandIds.Event(earlier, 9).ToString(), CommandIds.Event(later, 0).ToString()) < 0);
    }
}
