using System.Text.Json.Serialization;
using Chronicle.EventStore;
using static Chronicle.Commands.Tests.CounterEventsV1;

namespace Chronicle.Commands.Tests;

public sealed class FoldedStreamTests
{
    private static IReadOnlyList<RecordedEvent> Stream(params object[] events) => events
        .Select((e, version) => CounterState.EventTypes.ToEventData(Guid.NewGuid(), e, EventMetadata.Empty) is var data
            ? new RecordedEvent("counter-a", version, version + 1, 1, data.EventId, data.EventType, data.Data, data.Metadata, DateTimeOffset.UnixEpoch)
            : null!)
        .ToList();

    [Fact]
    public void GivenEvents_WhenFoldedInPartsOrWhole_ThenTheSameStateVersionAndEventIds()
    {
        var stream = Stream(new CounterOpened("a", "apples", 10), new CounterAdded("a", 2), new CounterAdded("a", 3));

        var whole = FoldedStream<CounterState>.From(stream);
        var parts = FoldedStream<CounterState>.From(stream.Take(1)).Extend(stream.Skip(1));

        Assert.Equal(new CounterState { Opened = true, Limit = 10, Total = 5 }, whole.State);
        Assert.Equal(whole.State, parts.State);
        Assert.Equal((2, stream[^1].EventId), (whole.Version, whole.LastEventId));
        Assert.Equal(whole.EventIds.Order(), parts.EventIds.Order());
        Assert.All(stream, e => Assert.True(whole.Contains(e.EventId)));
    }

    [Fact]
    public void GivenTailThatDoesNotFollowOn_WhenFolded_ThenRefused()
    {
        var stream = Stream(new CounterOpened("a", "apples", 10), new CounterAdded("a", 2), new CounterAdded("a", 3));
        var kept = FoldedStream<CounterState>.From(stream.Take(1));

        Assert.Throws<InvalidOperationException>(() => kept.Extend(stream.Skip(2)));
        Assert.Throws<InvalidOperationException>(() => kept.Extend(stream));
    }

    [Fact]
    public void GivenNoEvents_WhenFolded_ThenTheStreamDoesNotExistAndExtendingByNothingKeepsTheSameFold()
    {
        var kept = FoldedStream<CounterState>.From(Stream(new CounterOpened("a", "apples", 10)));

        Assert.False(FoldedStream<CounterState>.Empty.Exists);
        Assert.Equal(-1, FoldedStream<CounterState>.Empty.Version);
        Assert.Same(kept, kept.Extend([]));
    }

    [Fact]
    public void GivenCatalogue_WhenRegistered_ThenEveryEventTypeOfItIsKnownByItsPersistedName()
    {
        Assert.True(CounterState.EventTypes.IsRegistered("V1.CounterOpened"));
        Assert.True(CounterState.EventTypes.IsRegistered("V1.CounterNameReleased"));
        Assert.Equal("V1.CounterAdded", CounterState.EventTypes.NameOf(typeof(CounterAdded)));
    }

    [Fact]
    public void GivenCatalogueEventTheContextDoesNotSerialise_WhenRegistered_ThenAClearError()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new EventTypeRegistry().RegisterAll(typeof(Unserialised), UnserialisedJsonContext.Default));

        Assert.Contains("[JsonSerializable(typeof(Forgotten))]", error.Message, StringComparison.Ordinal);
    }

    public static class Unserialised
    {
        [EventType("V1.Known")]
        public sealed record Known(int Value);

        [EventType("V1.Forgotten")]
        public sealed record Forgotten(int Value);
    }
}

[JsonSerializable(typeof(FoldedStreamTests.Unserialised.Known))]
public sealed partial class UnserialisedJsonContext : JsonSerializerContext;
