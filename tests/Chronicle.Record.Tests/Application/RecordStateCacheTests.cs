using Chronicle.EventStore;
using Chronicle.Record.Application;
using Chronicle.Record.Domain;
using Chronicle.Record.Synthetic;
using Chronicle.Testing;

namespace Chronicle.Record.Tests.Application;

/// <summary>The cache's bounds, without a store.</summary>
public sealed class RecordStateCacheBoundsTests
{
    private static readonly DateOnly Today = new(2026, 1, 1);
    private static readonly SyntheticRecords Records = new(7, Today);

    private static (string Stream, FoldedRecord Record) Patient(int index, int events = int.MaxValue)
    {
        var stream = FoldedRecordTests.StoredStream(Records.Patient(index));
        return (stream[0].StreamId, FoldedRecord.From(stream.Take(events)));
    }

    [Fact]
    public void GivenMoreRecordsThanAllowed_WhenAnotherIsKept_ThenTheLeastRecentlyUsedGoesFirst()
    {
        var cache = new RecordStateCache(new RecordStateCacheOptions { MaxRecords = 2 });
        var (a, b, c) = (Patient(0), Patient(1), Patient(2));
        cache.Keep(a.Stream, a.Record);
        cache.Keep(b.Stream, b.Record);
        Assert.NotNull(cache.TryGet(a.Stream));

        cache.Keep(c.Stream, c.Record);

        Assert.Equal(2, cache.Count);
        Assert.Same(a.Record, cache.TryGet(a.Stream));
        Assert.Null(cache.TryGet(b.Stream));
        Assert.Same(c.Record, cache.TryGet(c.Stream));
    }

    [Fact]
    public void GivenMoreEventsThanAllowed_WhenAnotherRecordIsKept_ThenRecordsGoUntilTheRestFit()
    {
        var (a, b) = (Patient(0, events: 10), Patient(1, events: 10));
        var cache = new RecordStateCache(new RecordStateCacheOptions { MaxEvents = 15 });
        cache.Keep(a.Stream, a.Record);

        cache.Keep(b.Stream, b.Record);

        Assert.Equal(1, cache.Count);
        Assert.Equal(10, cache.Events);
        Assert.Null(cache.TryGet(a.Stream));
    }

    [Fact]
    public void GivenRecordLargerThanTheWholeCache_WhenKept_ThenNotKeptAndNothingElseLost()
    {
        var (small, large) = (Patient(0, events: 5), Patient(1, events: 30));
        var cache = new RecordStateCache(new RecordStateCacheOptions { MaxEvents = 20 });
        cache.Keep(small.Stream, small.Record);

        cache.Keep(large.Stream, large.Record);

        Assert.Null(cache.TryGet(large.Stream));
        Assert.Same(small.Record, cache.TryGet(small.Stream));
    }

    [Fact]
    public void GivenRecordFurtherAlongKept_WhenAnOlderOneIsOffered_ThenTheNewerStays()
    {
        var (older, newer) = (Patient(0, events: 5), Patient(0, events: 8));
        var cache = new RecordStateCache();
        cache.Keep(newer.Stream, newer.Record);

        cache.Keep(older.Stream, older.Record);

        Assert.Same(newer.Record, cache.TryGet(newer.Stream));
        Assert.Equal(8, cache.Events);
    }

    [Fact]
    public void GivenCacheTurnedOff_WhenARecordIsKept_ThenNothingKept()
    {
        var a = Patient(0);
        var cache = new RecordStateCache(new RecordStateCacheOptions { MaxRecords = 0 });

        cache.Keep(a.Stream, a.Record);

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void GivenAKeptRecord_WhenEvicted_ThenGoneAndItsEventsNoLongerCounted()
    {
        var a = Patient(0);
        var cache = new RecordStateCache();
        cache.Keep(a.Stream, a.Record);

        cache.Evict(a.Stream);

        Assert.Null(cache.TryGet(a.Stream));
        Assert.Equal(0, cache.Events);
    }
}

/// <summary>The cache against a real store: what it returns is always the stream as it stands, whoever appended.</summary>
public abstract class RecordStateCacheTests(StorageBackend storage) : IAsyncLifetime
{
    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();
    private static readonly DateOnly Today = new(2026, 1, 1);
    private readonly List<TestStorage> _stores = [];

    public async Task InitializeAsync() => _stores.Add(await RecordTestStorage.CreateAsync(storage));

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
            await store.DisposeAsync();
    }

    private IEventStore Store => _stores[0].Events;

    [Fact]
    public async Task GivenGeneratedRecordsAppendedCommandByCommand_WhenBroughtUpToDateAfterEachAppend_ThenSameAsFoldingTheWholeStream()
    {
        var records = new SyntheticRecords(11, Today);
        var everyAppend = new RecordStateCache();
        var nowAndThen = new RecordStateCache();
        var random = new Random(11);
        for (var patient = 0; patient < 3; patient++)
        {
            var appends = records.Patient(patient);
            var stream = new PatientId(appends[0].PatientId).StreamName;
            foreach (var append in appends)
            {
                await Store.AppendAsync(stream, ExpectedVersion.Any,
                    append.Events.Select((e, i) => Registry.ToEventData(DerivedIds.Event(append.CommandId, i), e, append.Metadata)).ToList());
                var full = FoldedRecord.From(await Store.ReadWholeStreamAsync(stream));

                FoldedRecordTests.AssertSameRecord(full, await everyAppend.CurrentAsync(Store, stream));
                if (random.Next(4) == 0)
                    FoldedRecordTests.AssertSameRecord(full, await nowAndThen.CurrentAsync(Store, stream));
            }

            FoldedRecordTests.AssertSameRecord(FoldedRecord.From(await Store.ReadWholeStreamAsync(stream)), await nowAndThen.CurrentAsync(Store, stream));
        }
    }

    [Fact]
    public async Task GivenRecordKeptFromAnotherStreamOfTheSameName_WhenBroughtUpToDate_ThenTheWholeStreamIsFoldedAgain()
    {
        // A database restored from a backup, say: the same stream name, different events at the kept version.
        var records = new SyntheticRecords(12, Today);
        var appends = records.Patient(0);
        var stream = new PatientId(appends[0].PatientId).StreamName;
        var other = await RecordTestStorage.CreateAsync(storage);
        _stores.Add(other);
        await AppendAllAsync(Store, stream, appends, firstCommandIdsFrom: 0);
        await AppendAllAsync(other.Events, stream, appends, firstCommandIdsFrom: 1);
        var cache = new RecordStateCache();
        cache.Keep(stream, FoldedRecord.From(await Store.ReadWholeStreamAsync(stream)));

        var current = await cache.CurrentAsync(other.Events, stream);

        FoldedRecordTests.AssertSameRecord(FoldedRecord.From(await other.Events.ReadWholeStreamAsync(stream)), current);
    }

    [Fact]
    public async Task GivenAStream_WhenFoldedWholeOnceThenAgain_ThenItsRecordIsKeptOnlyAfterTheSecondFold()
    {
        var records = new SyntheticRecords(13, Today);
        var appends = records.Patient(0);
        var stream = new PatientId(appends[0].PatientId).StreamName;
        await AppendAllAsync(Store, stream, appends, firstCommandIdsFrom: 0);
        var cache = new RecordStateCache();

        await cache.CurrentAsync(Store, stream);
        var keptAfterOne = cache.TryGet(stream);
        var second = await cache.CurrentAsync(Store, stream);

        Assert.Null(keptAfterOne);
        Assert.Same(second, cache.TryGet(stream));
    }

    /// <summary>The same events; their ids derived from fresh command ids when <paramref name="firstCommandIdsFrom"/> is not 0.</summary>
    private static async Task AppendAllAsync(IEventStore store, string stream, IReadOnlyList<SyntheticAppend> appends, int firstCommandIdsFrom)
    {
        var events = appends.SelectMany(a => a.Events.Select((e, i) =>
            Registry.ToEventData(DerivedIds.Event(firstCommandIdsFrom == 0 ? a.CommandId : Guid.NewGuid(), i), e, a.Metadata))).ToList();
        await store.AppendAsync(stream, ExpectedVersion.NoStream, events);
    }
}

public sealed class SqliteRecordStateCacheTests() : RecordStateCacheTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresRecordStateCacheTests() : RecordStateCacheTests(StorageBackend.Postgres);
