using Chronicle.Messaging.Publishing;

namespace Chronicle.Messaging.Tests;

public sealed class DeterministicEventIdTests
{
    [Fact]
    public void GivenTheSameSourceEventAndType_WhenTheIdIsDerivedAgain_ThenItIsTheSameVersion5Uuid()
    {
        var source = Guid.Parse("0199a3b2-7c1d-7e4f-8a9b-0c1d2e3f4a5b");

        var first = DeterministicEventId.ForIntegrationEvent(source, "chronicle.record.patient-registered.v1");
        var again = DeterministicEventId.ForIntegrationEvent(source, "chronicle.record.patient-registered.v1");
        var otherType = DeterministicEventId.ForIntegrationEvent(source, "chronicle.record.patient-demographics-updated.v1");

        Assert.Equal(first, again);
        Assert.NotEqual(first, otherType);
        Assert.Equal(5, Guid.Parse(first).Version);
    }
}
