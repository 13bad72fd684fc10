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
}
