using System.Text;
using System.Text.Json.Nodes;

namespace Chronicle.EventStore.Tests;

/// <summary>
/// The event store contract. Every backend runs this same suite; each test instance gets its own
/// empty storage (a schema or a file), and <see cref="OpenStoreAsync"/> opens that same storage again.
/// </summary>
public abstract class EventStoreContract : IAsyncLifetime
{
    private readonly List<IEventStore> _opened = [];

    protected IEventStore Store { get; private set; } = null!;

    protected abstract Task<IEventStore> CreateStoreAsync(IReadOnlyList<IEventUpcaster>? upcasters);

    protected async Task<IEventStore> OpenStoreAsync(IReadOnlyList<IEventUpcaster>? upcasters = null)
    {
        var store = await CreateStoreAsync(upcasters);
        _opened.Add(store);
        return store;
    }

    public async Task InitializeAsync() => Store = await OpenStoreAsync();

    public async Task DisposeAsync()
    {
        foreach (var store in _opened)
            await store.DisposeAsync();
    }

    [Fact]
    public async Task GivenNoStream_WhenAppendingWithNoStream_ThenVersionAndPositionsAreReturned()
    {
        var stream = TestEvents.NewStream();
        var result = await Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Batch(3));

        Assert.Equal(2, result.NextExpectedVersion);
        Assert.Equal(3, result.Positions.Count);
        Assert.True(result.Positions[0] < result.Positions[1] && result.Positions[1] < result.Positions[2]);
        Assert.Equal(new StreamState(true, 2), await Store.GetStreamStateAsync(stream));
        var read = await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards);
        Assert.Equal(result.Positions, read.Select(e => e.Position));
        Assert.All(read, e => Assert.Equal(result.Transaction, e.Transaction));
    }

    [Fact]
    public async Task GivenMissingStream_WhenItsStateAndEventsAreRead_ThenStateSaysNoStreamAndReadIsEmpty()
    {
        Assert.Equal(StreamState.NoStream, await Store.GetStreamStateAsync("patient-absent"));
        Assert.Empty(await Store.ReadStreamAsync("patient-absent", StreamReadOptions.Forwards));
        Assert.Empty(await Store.ReadStreamAsync("patient-absent", StreamReadOptions.Backwards));
    }

    [Fact]
    public async Task GivenStreamAtVersion_WhenAppendingWithExactVersion_ThenOnlyTheMatchingVersionWins()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Batch(2));

        var stale = await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => Store.AppendAsync(stream, ExpectedVersion.Exact(0), TestEvents.Batch(1)));
        Assert.Equal(1, stale.ActualVersion);
        Assert.Equal(stream, stale.StreamId);

        var noStream = await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Batch(1)));
        Assert.Equal(1, noStream.ActualVersion);

        var ok = await Store.AppendAsync(stream, ExpectedVersion.Exact(1), TestEvents.Batch(1));
        Assert.Equal(2, ok.NextExpectedVersion);
        Assert.Equal(new StreamState(true, 2), await Store.GetStreamStateAsync(stream));
    }

    [Fact]
    public async Task GivenExpectedVersionForms_WhenAppending_ThenAnyAndStreamExistsBehave()
    {
        var stream = TestEvents.NewStream();
        var missing = await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => Store.AppendAsync(stream, ExpectedVersion.StreamExists, TestEvents.Batch(1)));
        Assert.Equal(StreamState.NoStreamVersion, missing.ActualVersion);

        Assert.Equal(0, (await Store.AppendAsync(stream, ExpectedVersion.Any, TestEvents.Batch(1))).NextExpectedVersion);
        Assert.Equal(1, (await Store.AppendAsync(stream, ExpectedVersion.StreamExists, TestEvents.Batch(1))).NextExpectedVersion);
        Assert.Equal(2, (await Store.AppendAsync(stream, ExpectedVersion.Any, TestEvents.Batch(1))).NextExpectedVersion);
    }

    [Fact]
    public async Task GivenALosingWriter_WhenItsAppendIsRefused_ThenNoGlobalPositionIsBurned()
    {
        var stream = TestEvents.NewStream();
        var first = await Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Batch(1));
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<WrongExpectedVersionException>(
                () => Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Batch(3)));
        }

        var second = await Store.AppendAsync(stream, ExpectedVersion.Exact(0), TestEvents.Batch(1));
        Assert.Equal(first.Positions[0] + 1, second.Positions[0]);
    }

    [Fact]
    public async Task GivenStoredBatch_WhenResent_ThenTheOriginalResultIsReturnedAndNothingIsDuplicated()
    {
        var stream = TestEvents.NewStream();
        var batch = TestEvents.Batch(4);
        var original = await Store.AppendAsync(stream, ExpectedVersion.NoStream, batch);
        await Store.AppendAsync(stream, ExpectedVersion.Exact(3), TestEvents.Batch(2));

        var replay = await Store.AppendAsync(stream, ExpectedVersion.NoStream, batch);

        Assert.Equal(original.NextExpectedVersion, replay.NextExpectedVersion);
        Assert.Equal(original.Transaction, replay.Transaction);
        Assert.Equal(original.Positions, replay.Positions);
        Assert.Equal(6, (await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards)).Count);
        Assert.Equal(6, (await TestEvents.ReadWholeLogAsync(Store)).Count);
    }

    [Fact]
    public async Task GivenStoredBatch_WhenResentInAnotherTrace_ThenTheOriginalResultAndTheFirstTraceIsKept()
    {
        var stream = TestEvents.NewStream();
        var firstTrace = TestEvents.Metadata with { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        var batch = TestEvents.Batch(3).Select(e => e with { Metadata = firstTrace }).ToArray();
        var original = await Store.AppendAsync(stream, ExpectedVersion.NoStream, batch);

        var retried = await Store.AppendAsync(stream, ExpectedVersion.NoStream, batch.Select(e => e with
        {
            Metadata = firstTrace with { TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
        }).ToArray());
        var untraced = await Store.AppendAsync(stream, ExpectedVersion.NoStream, batch.Select(e => e with { Metadata = TestEvents.Metadata }).ToArray());

        Assert.Equal((original.Transaction, original.NextExpectedVersion), (retried.Transaction, retried.NextExpectedVersion));
        Assert.Equal(original.Positions, retried.Positions);
        Assert.Equal((original.Transaction, original.NextExpectedVersion), (untraced.Transaction, untraced.NextExpectedVersion));
        Assert.Equal(original.Positions, untraced.Positions);
        var stored = await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards);
        Assert.Equal(3, stored.Count);
        Assert.All(stored, e => Assert.Equal(firstTrace, e.Metadata));
    }

    [Fact]
    public async Task GivenStoredBatch_WhenResentWithOtherProvenance_ThenConflictAndNothingIsWritten()
    {
        var stream = TestEvents.NewStream();
        var batch = TestEvents.Batch(2);
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, batch);

        await Assert.ThrowsAsync<EventIdConflictException>(() => Store.AppendAsync(stream, ExpectedVersion.NoStream,
            batch.Select(e => e with { Metadata = TestEvents.Metadata with { UserId = "someone-else", TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" } }).ToArray()));

        Assert.Equal(2, (await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards)).Count);
    }

    [Fact]
    public async Task GivenStoredBatches_WhenPartOfOneOrASpanOfTwoIsResent_ThenConflictAndNothingIsWritten()
    {
        var stream = TestEvents.NewStream();
        var first = TestEvents.Batch(4);
        var second = TestEvents.Batch(3);
        var original = await Store.AppendAsync(stream, ExpectedVersion.NoStream, first);
        await Store.AppendAsync(stream, ExpectedVersion.Exact(3), second);

        EventData[][] notABatch =
        [
            first[..1], first[..3], first[1..3], first[1..], second[2..],
            [.. first[2..], .. second[..2]], [.. first, .. second],
        ];
        foreach (var resent in notABatch)
        {
            var conflict = await Assert.ThrowsAsync<EventIdConflictException>(() => Store.AppendAsync(stream, ExpectedVersion.Any, resent));
            Assert.Contains(conflict.EventId, resent.Select(e => e.EventId));
        }

        // The very batches that were stored still replay, whatever the expected version says now.
        var replay = await Store.AppendAsync(stream, ExpectedVersion.NoStream, first);
        Assert.Equal(original.Positions, replay.Positions);
        Assert.Equal(6, (await Store.AppendAsync(stream, ExpectedVersion.Exact(3), second)).NextExpectedVersion);
        Assert.Equal(7, (await TestEvents.ReadWholeLogAsync(Store)).Count);
        Assert.Equal(new StreamState(true, 6), await Store.GetStreamStateAsync(stream));
    }

    [Fact]
    public async Task GivenStoredEventId_WhenReusedWithDifferentContent_ThenConflictAndNothingWritten()
    {
        var stream = TestEvents.NewStream();
        var original = TestEvents.Event();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, [original]);

        var altered = original with { Data = Encoding.UTF8.GetBytes("""{"value":"altered"}""") };
        var conflict = await Assert.ThrowsAsync<EventIdConflictException>(
            () => Store.AppendAsync(stream, ExpectedVersion.Any, [altered]));
        Assert.Equal(original.EventId, conflict.EventId);

        await Assert.ThrowsAsync<EventIdConflictException>(
            () => Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.Any, [original]));
        var partial = new[] { original, TestEvents.Event() };
        await Assert.ThrowsAsync<EventIdConflictException>(() => Store.AppendAsync(stream, ExpectedVersion.Any, partial));

        Assert.Single(await TestEvents.ReadWholeLogAsync(Store));
        var stored = Assert.Single(await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards));
        Assert.Equal(original.Data, stored.Data);
    }

    [Fact]
    public async Task GivenABatchWhoseLaterEventIdIsStored_WhenAppended_ThenTheConflictNamesTheStoredId()
    {
        var stored = TestEvents.Event();
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [stored]);
        var stream = TestEvents.NewStream();
        var fresh = TestEvents.Event();

        var conflict = await Assert.ThrowsAsync<EventIdConflictException>(
            () => Store.AppendAsync(stream, ExpectedVersion.Any, [fresh, stored with { Data = "{\"other\":1}"u8.ToArray() }]));

        Assert.Equal(stored.EventId, conflict.EventId);
        Assert.False((await Store.GetStreamStateAsync(stream)).Exists);
    }

    [Fact]
    public async Task GivenBatchWithOneBadEvent_WhenAppended_ThenNoEventOfTheBatchIsWritten()
    {
        var stream = TestEvents.NewStream();
        var stored = TestEvents.Event();
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, [stored]);

        var tooLarge = TestEvents.Batch(3);
        tooLarge[1] = tooLarge[1] with { Data = LargeJson(EventStoreLimits.MaxEventBytes + 1) };
        await Assert.ThrowsAsync<InvalidAppendException>(() => Store.AppendAsync(stream, ExpectedVersion.Any, tooLarge));

        // The third event re-uses an id stored in another stream: the database refuses the batch as a whole.
        var reusedId = TestEvents.Batch(3);
        reusedId[2] = stored;
        await Assert.ThrowsAsync<EventIdConflictException>(() => Store.AppendAsync(stream, ExpectedVersion.Any, reusedId));

        Assert.Equal(StreamState.NoStream, await Store.GetStreamStateAsync(stream));
        Assert.Single(await TestEvents.ReadWholeLogAsync(Store));
    }

    public static TheoryData<string> BadAppends => new()
    {
        "empty stream id", "over-long stream id", "null data", "event over 1 MiB", "not JSON", "exact -1", "wire value -3",
        "unset expected version", "empty batch", "null event", "empty event type", "duplicate id in batch", "null metadata",
        "NUL in event type", "control character in event type", "unpaired surrogate in event type", "reversed surrogates in event type",
        "event type with edge white space", "over-long event type", "unpaired surrogate in stream id", "unpaired surrogate in metadata",
        "batch over 64 MiB",
    };

    [Theory]
    [MemberData(nameof(BadAppends))]
    public async Task GivenBadInput_WhenAppended_ThenATypedErrorAndNothingIsWritten(string scenario)
    {
        var stream = TestEvents.NewStream();
        var good = TestEvents.Event();
        Func<Task> append = scenario switch
        {
            "empty stream id" => () => Store.AppendAsync("", ExpectedVersion.Any, [good]),
            "over-long stream id" => () => Store.AppendAsync(new string('x', EventStoreLimits.MaxStreamIdLength + 1), ExpectedVersion.Any, [good]),
            "null data" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { Data = null! }]),
            "event over 1 MiB" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { Data = LargeJson(EventStoreLimits.MaxEventBytes + 1) }]),
            "not JSON" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { Data = [0x7b, 0x7b] }]),
            "exact -1" => () => Store.AppendAsync(stream, ExpectedVersion.Exact(-1), [good]),
            "wire value -3" => () => Store.AppendAsync(stream, ExpectedVersion.FromValue(-3), [good]),
            "unset expected version" => () => Store.AppendAsync(stream, default, [good]),
            "empty batch" => () => Store.AppendAsync(stream, ExpectedVersion.Any, []),
            "null event" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good, null!]),
            "empty event type" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { EventType = " " }]),
            "duplicate id in batch" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good, good]),
            "null metadata" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { Metadata = null! }]),
            "NUL in event type" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { EventType = "V1.Probe\0" }]),
            "control character in event type" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { EventType = "V1.\u0085Probe" }]),
            "unpaired surrogate in event type" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { EventType = "V1.Probe\uD83D" }]),
            "reversed surrogates in event type" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { EventType = "V1.\uDE00\uD83D" }]),
            "event type with edge white space" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { EventType = "V1.Probe " }]),
            "over-long event type" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { EventType = new string('t', EventStoreLimits.MaxEventTypeLength + 1) }]),
            "unpaired surrogate in stream id" => () => Store.AppendAsync(stream + "\uDC00", ExpectedVersion.Any, [good]),
            "unpaired surrogate in metadata" => () => Store.AppendAsync(stream, ExpectedVersion.Any, [good with { Metadata = TestEvents.Metadata with { Reason = "\uD800" } }]),
            // One 1 MiB buffer shared by every event: the limit is checked before anything is sent, so nothing big is allocated.
            "batch over 64 MiB" => () => Store.AppendAsync(stream, ExpectedVersion.Any, OversizedBatch()),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };

        var error = await Assert.ThrowsAsync<InvalidAppendException>(append);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Equal(ExpectedReason(scenario), error.Reason);
        Assert.Equal(StreamState.NoStream, await Store.GetStreamStateAsync(stream));
        Assert.Empty(await TestEvents.ReadWholeLogAsync(Store));
    }

    private static InvalidAppendReason ExpectedReason(string scenario) => scenario switch
    {
        _ when scenario.Contains("stream id", StringComparison.Ordinal) => InvalidAppendReason.StreamId,
        _ when scenario.Contains("event type", StringComparison.Ordinal) => InvalidAppendReason.EventType,
        _ when scenario.Contains("metadata", StringComparison.Ordinal) => InvalidAppendReason.EventMetadata,
        _ when scenario.Contains("version", StringComparison.Ordinal) || scenario.StartsWith("exact", StringComparison.Ordinal)
            || scenario.StartsWith("wire", StringComparison.Ordinal) => InvalidAppendReason.ExpectedVersion,
        "null data" or "not JSON" or "null event" => InvalidAppendReason.EventData,
        "event over 1 MiB" => InvalidAppendReason.EventTooLarge,
        "empty batch" => InvalidAppendReason.EmptyBatch,
        "duplicate id in batch" => InvalidAppendReason.DuplicateEventIdInBatch,
        "batch over 64 MiB" => InvalidAppendReason.BatchTooLarge,
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    private static EventData[] OversizedBatch()
    {
        var data = LargeJson(EventStoreLimits.MaxEventBytes - 4096);
        var count = (int)(EventStoreLimits.MaxAppendBytes / data.Length) + 1;
        return Enumerable.Range(0, count).Select(_ => TestEvents.Event() with { Data = data }).ToArray();
    }

    [Fact]
    public async Task GivenAnAppendOfExactlyTheBatchLimit_WhenAppended_ThenItIsStored_AndOneMoreEventIsRefusedAsTooLarge()
    {
        // "{}" is the empty metadata, 2 bytes: each event holds exactly 1 MiB and the batch exactly the limit.
        var data = LargeJson(EventStoreLimits.MaxEventBytes - 2);
        var atLimit = Enumerable.Range(0, EventStoreLimits.MaxAppendBytes / EventStoreLimits.MaxEventBytes)
            .Select(_ => new EventData(Guid.NewGuid(), "V1.Probe", data, EventMetadata.Empty)).ToArray();
        var over = TestEvents.NewStream();
        var error = await Assert.ThrowsAsync<InvalidAppendException>(() => Store.AppendAsync(over, ExpectedVersion.NoStream,
            [.. atLimit, new EventData(Guid.NewGuid(), "V1.Probe", "1"u8.ToArray(), EventMetadata.Empty)]));
        Assert.Equal(InvalidAppendReason.BatchTooLarge, error.Reason);
        Assert.Equal(StreamState.NoStream, await Store.GetStreamStateAsync(over));

        var stream = TestEvents.NewStream();
        var stored = await Store.AppendAsync(stream, ExpectedVersion.NoStream, atLimit);
        Assert.Equal(atLimit.Length - 1, stored.NextExpectedVersion);
        var last = Assert.Single(await Store.ReadStreamAsync(stream, StreamReadOptions.Backwards with { MaxCount = 1 }));
        Assert.Equal(data, last.Data);
    }

    [Fact]
    public async Task GivenNamesWithCharactersBeyondTheBasicPlane_WhenAppended_ThenTheyAreStoredAsSentAndAReSendReplays()
    {
        var stream = "patient-\U0001F600-" + Guid.NewGuid().ToString("N");
        var batch = new[] { TestEvents.Event("V1.Probe\U0001D11E\u00E9") };
        var original = await Store.AppendAsync(stream, ExpectedVersion.NoStream, batch);

        var replay = await Store.AppendAsync(stream, ExpectedVersion.NoStream, batch);

        Assert.Equal(original.Positions, replay.Positions);
        var stored = Assert.Single(await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards));
        Assert.Equal(batch[0].EventType, stored.EventType);
        Assert.Equal(stream, stored.StreamId);
    }

    [Fact]
    public async Task GivenMetadataLargerThanLimitTogetherWithData_WhenAppended_ThenTooLarge()
    {
        var big = TestEvents.Event() with
        {
            Data = LargeJson(EventStoreLimits.MaxEventBytes - 100),
            Metadata = TestEvents.Metadata with { Reason = new string('r', 1000) },
        };
        var error = await Assert.ThrowsAsync<InvalidAppendException>(
            () => Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.Any, [big]));
        Assert.Equal(InvalidAppendReason.EventTooLarge, error.Reason);
    }

    [Fact]
    public async Task GivenEventAtTheSizeLimit_WhenAppended_ThenItIsStoredByteForByte()
    {
        var stream = TestEvents.NewStream();
        var data = LargeJson(EventStoreLimits.MaxEventBytes - 2048);
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, [TestEvents.Event() with { Data = data }]);
        Assert.Equal(data, Assert.Single(await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards)).Data);
    }

    [Fact]
    public async Task GivenBadReadArguments_WhenRead_ThenTypedErrors()
    {
        await Assert.ThrowsAsync<InvalidReadException>(() => Store.ReadStreamAsync("", StreamReadOptions.Forwards));
        await Assert.ThrowsAsync<InvalidReadException>(() => Store.ReadStreamAsync("s", new StreamReadOptions { MaxCount = 0 }));
        await Assert.ThrowsAsync<InvalidReadException>(() => Store.ReadStreamAsync("s", new StreamReadOptions { FromVersion = -1 }));
        await Assert.ThrowsAsync<InvalidReadException>(() => Store.ReadAllAsync(LogPosition.Start, EventStoreLimits.MaxReadCount + 1));
    }

    [Fact]
    public async Task GivenAStream_WhenReadForwardAndBackwardInPages_ThenEveryEventComesOnceInOrder()
    {
        var stream = TestEvents.NewStream();
        var written = TestEvents.Batch(25);
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, written[..10]);
        await Store.AppendAsync(stream, ExpectedVersion.Exact(9), written[10..]);
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, TestEvents.Batch(5));

        var forward = new List<RecordedEvent>();
        for (long from = 0; ;)
        {
            var page = await Store.ReadStreamAsync(stream, new StreamReadOptions { FromVersion = from, MaxCount = 7 });
            if (page.Count == 0)
                break;
            forward.AddRange(page);
            from = page[^1].StreamVersion + 1;
        }

        Assert.Equal(written.Select(e => e.EventId), forward.Select(e => e.EventId));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), forward.Select(e => e.StreamVersion));

        var backward = new List<RecordedEvent>();
        long? next = null;
        while (true)
        {
            var page = await Store.ReadStreamAsync(stream, new StreamReadOptions { Direction = ReadDirection.Backward, FromVersion = next, MaxCount = 7 });
            backward.AddRange(page);
            if (page.Count == 0 || page[^1].StreamVersion == 0)
                break;
            next = page[^1].StreamVersion - 1;
        }

        Assert.Equal(written.Reverse().Select(e => e.EventId), backward.Select(e => e.EventId));
        var fromMiddle = await Store.ReadStreamAsync(stream, new StreamReadOptions { FromVersion = 20 });
        Assert.Equal([20L, 21, 22, 23, 24], fromMiddle.Select(e => e.StreamVersion));
    }

    [Fact]
    public async Task GivenLaterAppends_WhenReadingAsOfALogPositionOrATime_ThenTheStreamIsAsItWasThen()
    {
        var stream = TestEvents.NewStream();
        var first = await Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Batch(3));
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, TestEvents.Batch(2));
        var firstRecordedAt = (await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards))[^1].RecordedAt;
        await Task.Delay(20); // recorded times have microsecond resolution; make the later batch's time distinct
        await Store.AppendAsync(stream, ExpectedVersion.Exact(2), TestEvents.Batch(2));

        var asOfPosition = await Store.ReadStreamAsync(stream, new StreamReadOptions { AsOf = first.LastLogPosition });
        Assert.Equal([0L, 1, 2], asOfPosition.Select(e => e.StreamVersion));

        var asOfTime = await Store.ReadStreamAsync(stream, new StreamReadOptions { AsOfTime = firstRecordedAt });
        Assert.Equal([0L, 1, 2], asOfTime.Select(e => e.StreamVersion));

        var backwardAsOf = await Store.ReadStreamAsync(stream, StreamReadOptions.Backwards with { AsOf = first.LastLogPosition });
        Assert.Equal([2L, 1, 0], backwardAsOf.Select(e => e.StreamVersion));

        var beforeAnything = await Store.ReadStreamAsync(stream, new StreamReadOptions { AsOfTime = firstRecordedAt.AddDays(-1) });
        Assert.Empty(beforeAnything);
        Assert.Equal(5, (await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards)).Count);
    }

    [Fact]
    public async Task GivenManyStreams_WhenReadingTheGlobalLogInPages_ThenItIsOrderedCompleteAndStable()
    {
        var written = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            var batch = TestEvents.Batch(i % 4 + 1);
            await Store.AppendAsync("stream-" + (i % 3), ExpectedVersion.Any, batch);
            written.AddRange(batch.Select(e => e.EventId));
        }

        var paged = await TestEvents.ReadWholeLogAsync(Store, pageSize: 4);
        var whole = await TestEvents.ReadWholeLogAsync(Store, pageSize: 1000);

        Assert.Equal(written, paged.Select(e => e.EventId));
        Assert.Equal(whole.Select(e => e.EventId), paged.Select(e => e.EventId));
        Assert.True(paged.Zip(paged.Skip(1)).All(pair => pair.First.LogPosition < pair.Second.LogPosition));
        Assert.Equal(paged.Count - 5, await Store.CountEventsAfterAsync(paged[4].LogPosition));
        Assert.Empty(await Store.ReadAllAsync(paged[^1].LogPosition, 10));
    }

    [Fact]
    public async Task GivenEvents_WhenAppendedAndReadBack_ThenMetadataRoundTripsAndRecordedTimeIsStampedByTheStore()
    {
        var stream = TestEvents.NewStream();
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Batch(2));
        await Store.AppendAsync(stream, ExpectedVersion.Exact(1), TestEvents.Batch(2));

        var read = await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards);
        Assert.All(read, e => Assert.Equal(TestEvents.Metadata, e.Metadata));
        Assert.All(read, e => Assert.InRange(e.RecordedAt, before, DateTimeOffset.UtcNow.AddMinutes(5)));
        Assert.True(read.Zip(read.Skip(1)).All(pair => pair.First.RecordedAt <= pair.Second.RecordedAt));
        Assert.Equal("V1.Probe", read[0].EventType);
    }

    [Fact]
    public async Task GivenAnUpcaster_WhenReading_ThenOldEventsArriveInTheirNewShape()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream,
            [TestEvents.Event("V1.NameRecorded", """{"name":"Ada Lovelace"}""")]);

        var upcaster = new JsonEventUpcaster("V1.NameRecorded", "V2.NameRecorded", old =>
        {
            var parts = old["name"]!.GetValue<string>().Split(' ', 2);
            return new JsonObject { ["given"] = parts[0], ["family"] = parts[1] };
        });
        var upcasting = await OpenStoreAsync([upcaster]);

        var fromStream = Assert.Single(await upcasting.ReadStreamAsync(stream, StreamReadOptions.Forwards));
        var fromLog = Assert.Single(await upcasting.ReadAllAsync(LogPosition.Start, 10));
        foreach (var upcast in new[] { fromStream, fromLog })
        {
            Assert.Equal("V2.NameRecorded", upcast.EventType);
            var body = JsonNode.Parse(upcast.Data)!;
            Assert.Equal("Lovelace", body["family"]!.GetValue<string>());
        }

        Assert.Equal("V1.NameRecorded", Assert.Single(await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards)).EventType);
    }

    [Fact]
    public async Task GivenTheSchemaExists_WhenInitialisedAgainConcurrently_ThenNothingChangesAndDataRemains()
    {
        var stream = TestEvents.NewStream();
        await Store.AppendAsync(stream, ExpectedVersion.NoStream, TestEvents.Batch(3));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => OpenStoreAsync()));
        await Store.InitializeAsync();

        var reopened = await OpenStoreAsync();
        Assert.Equal(new StreamState(true, 2), await reopened.GetStreamStateAsync(stream));
        Assert.Equal(3, (await reopened.AppendAsync(stream, ExpectedVersion.Exact(2), TestEvents.Batch(1))).NextExpectedVersion);
    }

    [Fact]
    public async Task GivenSubscriptionFromStart_WhenEventsArriveAndItRestarts_ThenItCatchesUpTailsLiveAndResumesFromItsCheckpoint()
    {
        var before = TestEvents.Batch(30);
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, before);

        var received = new List<RecordedEvent>();
        var subscription = EventSubscription.Start(Store, LogPosition.Start, (page, _) =>
        {
            lock (received)
                received.AddRange(page);
            return Task.CompletedTask;
        }, new SubscriptionOptions { BatchSize = 7 });

        var live = TestEvents.Batch(5);
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, live);
        await WaitUntilAsync(() => { lock (received) return received.Count >= 35; });
        var checkpoint = subscription.LastProcessed;
        await subscription.StopAsync();

        Assert.Equal(before.Concat(live).Select(e => e.EventId), received.Select(e => e.EventId));
        Assert.Equal(received[^1].LogPosition, checkpoint);

        // Another process's subscription, resuming from the durable checkpoint, sees only what came after.
        var later = TestEvents.Batch(4);
        var other = await OpenStoreAsync();
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, later);
        var resumed = new List<RecordedEvent>();
        await using var second = EventSubscription.Start(other, checkpoint, (page, _) =>
        {
            lock (resumed)
                resumed.AddRange(page);
            return Task.CompletedTask;
        });
        await WaitUntilAsync(() => { lock (resumed) return resumed.Count >= 4; });
        Assert.Equal(later.Select(e => e.EventId), resumed.Select(e => e.EventId));
    }

    [Fact]
    public async Task GivenALiveSubscriptionThatLingers_WhenAppendsArriveTogether_ThenTheyAreHandedOverAsOnePage()
    {
        var pages = new List<IReadOnlyList<RecordedEvent>>();
        await using var subscription = EventSubscription.Start(Store, LogPosition.Start, (page, _) =>
        {
            lock (pages)
                pages.Add(page);
            return Task.CompletedTask;
        }, new SubscriptionOptions { Linger = TimeSpan.FromSeconds(5) });
        await WaitUntilAsync(() => subscription.IsLive);

        var appended = new List<EventData>();
        for (var i = 0; i < 10; i++)
        {
            var one = TestEvents.Batch(1);
            await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, one);
            appended.AddRange(one);
        }

        await WaitUntilAsync(() => { lock (pages) return pages.Sum(p => p.Count) >= 10; });
        Assert.Equal(appended.Select(e => e.EventId), Assert.Single(pages).Select(e => e.EventId));
    }

    [Fact]
    public async Task GivenALiveSubscriptionThatDoesNotLinger_WhenAnAppendArrives_ThenItIsHandedOverWithoutWaitingForMore()
    {
        var pages = new List<IReadOnlyList<RecordedEvent>>();
        await using var subscription = EventSubscription.Start(Store, LogPosition.Start, (page, _) =>
        {
            lock (pages)
                pages.Add(page);
            return Task.CompletedTask;
        });
        await WaitUntilAsync(() => subscription.IsLive);

        var first = TestEvents.Batch(1);
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, first);
        await WaitUntilAsync(() => { lock (pages) return pages.Count == 1; });
        var second = TestEvents.Batch(1);
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, second);
        await WaitUntilAsync(() => { lock (pages) return pages.Count == 2; });

        Assert.Equal([first[0].EventId, second[0].EventId], pages.Select(p => Assert.Single(p).EventId));
    }

    [Fact]
    public async Task GivenAFailingHandler_WhenItsEventIsDelivered_ThenTheSubscriptionStopsAtItWithoutSkippingIt()
    {
        await Store.AppendAsync(TestEvents.NewStream(), ExpectedVersion.NoStream, TestEvents.Batch(10));
        var delivered = 0;
        var subscription = EventSubscription.Start(Store, LogPosition.Start, (page, _) =>
        {
            if (delivered + page.Count > 6)
                throw new InvalidOperationException("projection failed");
            delivered += page.Count;
            return Task.CompletedTask;
        }, new SubscriptionOptions { BatchSize = 3 });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => subscription.Completion);
        Assert.Equal("projection failed", error.Message);
        Assert.Equal(6, delivered);
        var log = await TestEvents.ReadWholeLogAsync(Store);
        Assert.Equal(log[5].LogPosition, subscription.LastProcessed);
    }

    [Fact]
    public async Task GivenThirtyTwoWritersOnOneStream_WhenTheyRaceForEachVersion_ThenExactlyOneWinsEachVersion()
    {
        const int Writers = 32;
        const int Rounds = 12;
        var stream = TestEvents.NewStream();
        var winners = new List<(long Version, Guid EventId)>();

        for (var round = 0; round < Rounds; round++)
        {
            var expected = round == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exact(round - 1);
            using var start = new Barrier(Writers);
            var attempts = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
            {
                var e = TestEvents.Event();
                start.SignalAndWait();
                try
                {
                    var result = await Store.AppendAsync(stream, expected, [e]);
                    return (Won: true, Version: result.NextExpectedVersion, e.EventId, Actual: -99L);
                }
                catch (WrongExpectedVersionException lost)
                {
                    return (Won: false, Version: -1L, e.EventId, Actual: lost.ActualVersion);
                }
            })).ToArray();
            var outcomes = await Task.WhenAll(attempts);

            var won = Assert.Single(outcomes, o => o.Won);
            Assert.Equal(round, won.Version);
            Assert.All(outcomes.Where(o => !o.Won), o => Assert.Equal(round, o.Actual));
            winners.Add((won.Version, won.EventId));
        }

        var stored = await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards);
        Assert.Equal(winners.Select(w => w.EventId), stored.Select(e => e.EventId));
        Assert.Equal(Rounds, (await TestEvents.ReadWholeLogAsync(Store)).Count);
    }

    [Fact]
    public async Task GivenThirtyTwoWritersOnOneStream_WhenTheyRetryUntilAppended_ThenNothingIsLostOrDuplicated()
    {
        const int Writers = 32;
        const int EventsPerWriter = 8;
        var stream = TestEvents.NewStream();
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<long, Guid>();

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < EventsPerWriter; i++)
            {
                var e = TestEvents.Event();
                while (true)
                {
                    var state = await Store.GetStreamStateAsync(stream);
                    var expected = state.Exists ? ExpectedVersion.Exact(state.Version) : ExpectedVersion.NoStream;
                    try
                    {
                        var result = await Store.AppendAsync(stream, expected, [e]);
                        Assert.True(acknowledged.TryAdd(result.NextExpectedVersion, e.EventId), "two writers won one version");
                        break;
                    }
                    catch (WrongExpectedVersionException)
                    {
                    }
                }
            }
        })));

        var stored = await Store.ReadStreamAsync(stream, StreamReadOptions.Forwards);
        Assert.Equal(Writers * EventsPerWriter, stored.Count);
        Assert.Equal(Enumerable.Range(0, Writers * EventsPerWriter).Select(v => (long)v), stored.Select(e => e.StreamVersion));
        Assert.All(stored, e => Assert.Equal(acknowledged[e.StreamVersion], e.EventId));
    }

    internal static byte[] LargeJson(int bytes)
    {
        const string Prefix = "{\"text\":\"";
        const string Suffix = "\"}";
        return Encoding.UTF8.GetBytes(Prefix + new string('a', bytes - Prefix.Length - Suffix.Length) + Suffix);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, int timeoutSeconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The condition was not met in time.");
            await Task.Delay(10);
        }
    }
}

public sealed class SqliteEventStoreContractTests : EventStoreContract, IDisposable
{
    private readonly SqliteFiles _files = new();
    private readonly string _path;

    public SqliteEventStoreContractTests() => _path = _files.NewPath();

    protected override async Task<IEventStore> CreateStoreAsync(IReadOnlyList<IEventUpcaster>? upcasters) =>
        await _files.CreateStoreAsync(_path, upcasters);

    public void Dispose() => _files.Dispose();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresEventStoreContractTests(PostgresFixture postgres) : EventStoreContract
{
    private readonly string _schema = PostgresFixture.NewSchemaName();

    protected override async Task<IEventStore> CreateStoreAsync(IReadOnlyList<IEventUpcaster>? upcasters) =>
        await postgres.CreateStoreAsync(_schema, upcasters);
}
