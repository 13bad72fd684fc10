using Chronicle.EventStore;
using Chronicle.Testing;
using static Chronicle.Commands.Tests.CounterEventsV1;

namespace Chronicle.Commands.Tests;

/// <summary>The handler against a real event store; subclasses choose the backend.</summary>
public abstract class StreamCommandHandlerTests(StorageBackend backend) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private TestStorage _storage = null!;
    private IEventStore _store = null!;
    private CounterRules _rules = null!;
    private StreamCommandHandler<CounterState, CounterCommand> _handler = null!;

    public async Task InitializeAsync()
    {
        _storage = await TestStorage.CreateAsync(backend, new TestStorageOptions { Name = "commands" });
        _store = _storage.Events;
        (_handler, _rules) = Handler(_store);
    }

    public async Task DisposeAsync() => await _storage.DisposeAsync();

    private static (StreamCommandHandler<CounterState, CounterCommand>, CounterRules) Handler(IEventStore store)
    {
        var rules = new CounterRules(store);
        return (new StreamCommandHandler<CounterState, CounterCommand>(store, new FixedClock(Now), new StreamStateCache<CounterState>(), rules), rules);
    }

    private static CommandContext Context(Guid commandId, long? expectedVersion = null, string user = "user-1") =>
        new(commandId, expectedVersion, new EventMetadata { UserId = user });

    private Task<CommandOutcome> OpenAsync(string counter = "a", string name = "apples", int limit = 10, Guid? commandId = null) =>
        _handler.HandleAsync(new OpenCounter(counter, name, limit), Context(commandId ?? Guid.NewGuid()));

    private Task<IReadOnlyList<RecordedEvent>> StreamAsync(string counter = "a") => _store.ReadWholeStreamAsync(CounterDecider.StreamOf(counter));

    private async Task<IReadOnlyList<RecordedEvent>> LogAsync() => await _store.ReadAllAsync(LogPosition.Start, EventStoreLimits.MaxReadCount);

    [Fact]
    public async Task GivenOpenCounter_WhenAmountsAdded_ThenOneEventEachWithIdsDerivedFromTheCommandIdAndTheOutcomePointsAtTheLast()
    {
        await OpenAsync();
        var commandId = Guid.NewGuid();

        var outcome = await _handler.HandleAsync(new AddToCounter("a", [2, 3]), Context(commandId, expectedVersion: 0));

        var stream = await StreamAsync();
        Assert.Equal(["V1.CounterOpened", "V1.CounterAdded", "V1.CounterAdded"], stream.Select(e => e.EventType));
        Assert.Equal([CommandIds.Event(commandId, 0), CommandIds.Event(commandId, 1)], stream.Skip(1).Select(e => e.EventId));
        Assert.Equal(2, outcome.Version);
        Assert.Equal(stream[^1].LogPosition, outcome.LogPosition);
        Assert.Equal([new CounterAdded("a", 2), new CounterAdded("a", 3)], outcome.Events);
    }

    [Fact]
    public async Task GivenCommand_WhenHandled_ThenEveryEventCarriesTheCallersProvenanceCausedAndCorrelatedByTheCommandId()
    {
        var commandId = Guid.NewGuid();
        await OpenAsync(commandId: commandId);
        var correlated = new CommandContext(Guid.NewGuid(), 0, new EventMetadata { UserId = "user-2", CorrelationId = "request-7" });

        await _handler.HandleAsync(new AddToCounter("a", [1]), correlated);

        var stream = await StreamAsync();
        Assert.Equal(("user-1", commandId.ToString(), commandId.ToString()), (stream[0].Metadata.UserId, stream[0].Metadata.CausationId, stream[0].Metadata.CorrelationId));
        Assert.Equal(("user-2", correlated.CommandId.ToString(), "request-7"), (stream[1].Metadata.UserId, stream[1].Metadata.CausationId, stream[1].Metadata.CorrelationId));
    }

    [Fact]
    public async Task GivenCommandHandled_WhenResentByAnotherUser_ThenTheOriginalOutcomeAndNothingStoredTwice()
    {
        await OpenAsync();
        var commandId = Guid.NewGuid();
        var first = await _handler.HandleAsync(new AddToCounter("a", [4]), Context(commandId, expectedVersion: 0));

        var again = await _handler.HandleAsync(new AddToCounter("a", [4]), Context(commandId, expectedVersion: 0, user: "user-2"));

        Assert.Equal((first.Version, first.LogPosition), (again.Version, again.LogPosition));
        Assert.Equal(first.Events, again.Events);
        Assert.Equal(2, (await StreamAsync()).Count);
    }

    [Fact]
    public async Task GivenCommandHandledAndLaterCommandsFollowed_WhenResent_ThenDecidedAgainOnTheStreamBeforeItAndTheOriginalOutcome()
    {
        // Resent after the counter moved on to where the same amount would pass its limit: answered from the stream as it stood.
        await OpenAsync(limit: 5);
        var commandId = Guid.NewGuid();
        var first = await _handler.HandleAsync(new AddToCounter("a", [3]), Context(commandId, expectedVersion: 0));
        await _handler.HandleAsync(new AddToCounter("a", [2]), Context(Guid.NewGuid(), expectedVersion: 1));

        var again = await _handler.HandleAsync(new AddToCounter("a", [3]), Context(commandId, expectedVersion: 0));

        Assert.Equal((1, first.LogPosition), (again.Version, again.LogPosition));
        Assert.Equal(3, (await StreamAsync()).Count);
    }

    [Fact]
    public async Task GivenCommandIdUsed_WhenADifferentCommandIsSentWithIt_ThenRefusedAndNothingAppended()
    {
        await OpenAsync();
        var commandId = Guid.NewGuid();
        await _handler.HandleAsync(new AddToCounter("a", [1]), Context(commandId, expectedVersion: 0));

        var refusal = await Assert.ThrowsAsync<CommandIdReusedException>(() => _handler.HandleAsync(new AddToCounter("a", [2]), Context(commandId)));

        Assert.Equal(commandId, refusal.CommandId);
        Assert.Equal(2, (await StreamAsync()).Count);
    }

    [Fact]
    public async Task GivenCommandIdUsedOnAnotherStream_WhenSentWithIt_ThenRefusedAndTheSideStepUndone()
    {
        // The event id is taken in the store by the other stream's event: the append is refused after the name is claimed.
        var commandId = Guid.NewGuid();
        await OpenAsync("a", "apples", commandId: commandId);

        await Assert.ThrowsAsync<CommandIdReusedException>(() => OpenAsync("b", "bananas", commandId: commandId));

        Assert.Empty(await StreamAsync("b"));
        Assert.Equal(1, _rules.Undone);
        await OpenAsync("c", "bananas");
    }

    [Fact]
    public async Task GivenStaleExpectedVersion_WhenCommandSent_ThenTheServicesConflictWithTheCurrentVersionAndNothingAppended()
    {
        await OpenAsync();
        await _handler.HandleAsync(new AddToCounter("a", [1, 1]), Context(Guid.NewGuid(), expectedVersion: 0));

        var conflict = await Assert.ThrowsAsync<CounterVersionConflictException>(() =>
            _handler.HandleAsync(new AddToCounter("a", [1]), Context(Guid.NewGuid(), expectedVersion: 0)));

        Assert.Equal((0, 2), (conflict.ExpectedVersion, conflict.CurrentVersion));
        Assert.Equal(3, (await StreamAsync()).Count);
    }

    [Fact]
    public async Task GivenAnotherWriterAppendsBetweenReadAndAppend_WhenCommandHasNoExpectedVersion_ThenDecidedAgainOnTheNewState()
    {
        var racing = new InterleavingStore(_store);
        var (handler, _) = Handler(racing);
        await handler.HandleAsync(new OpenCounter("a", "apples", 10), Context(Guid.NewGuid()));
        racing.Stream = CounterDecider.StreamOf("a");
        racing.BeforeNextAppend = store => Handler(store).Item1.HandleAsync(new AddToCounter("a", [7]), Context(Guid.NewGuid(), expectedVersion: 0));

        var outcome = await handler.HandleAsync(new AddToCounter("a", [2]), Context(Guid.NewGuid()));

        Assert.Equal(2, outcome.Version);
        Assert.Equal([7, 2], (await StreamAsync()).Skip(1).Select(e => ((CounterAdded)CounterState.EventTypes.Deserialize(e)).Amount));
    }

    [Fact]
    public async Task GivenAnotherWriterAppendsBetweenReadAndAppend_WhenTheNewStateRefusesTheCommand_ThenRefusedOnTheNewState()
    {
        var racing = new InterleavingStore(_store);
        var (handler, _) = Handler(racing);
        await handler.HandleAsync(new OpenCounter("a", "apples", 10), Context(Guid.NewGuid()));
        racing.Stream = CounterDecider.StreamOf("a");
        racing.BeforeNextAppend = store => Handler(store).Item1.HandleAsync(new AddToCounter("a", [9]), Context(Guid.NewGuid(), expectedVersion: 0));

        await Assert.ThrowsAsync<CounterRefusedException>(() => handler.HandleAsync(new AddToCounter("a", [2]), Context(Guid.NewGuid())));

        Assert.Equal(2, (await StreamAsync()).Count);
    }

    [Fact]
    public async Task GivenAnotherWriterAppendsBetweenReadAndAppend_WhenCommandHasExpectedVersion_ThenConflictAndTheNextCommandDecidesOnTheNewState()
    {
        var racing = new InterleavingStore(_store);
        var (handler, _) = Handler(racing);
        await handler.HandleAsync(new OpenCounter("a", "apples", 10), Context(Guid.NewGuid()));
        racing.Stream = CounterDecider.StreamOf("a");
        racing.BeforeNextAppend = store => Handler(store).Item1.HandleAsync(new AddToCounter("a", [7]), Context(Guid.NewGuid(), expectedVersion: 0));

        var conflict = await Assert.ThrowsAsync<CounterVersionConflictException>(() =>
            handler.HandleAsync(new AddToCounter("a", [2]), Context(Guid.NewGuid(), expectedVersion: 0)));
        var next = await handler.HandleAsync(new AddToCounter("a", [3]), Context(Guid.NewGuid(), expectedVersion: 1));

        Assert.Equal(1, conflict.CurrentVersion);
        Assert.Equal(2, next.Version);
    }

    [Fact]
    public async Task GivenStreamCreatedBetweenTheSideStepAndTheAppend_WhenCreatingIt_ThenTheServicesRefusalAndTheSideStepUndone()
    {
        var racing = new InterleavingStore(_store);
        var (handler, rules) = Handler(racing);
        racing.Stream = CounterDecider.StreamOf("a");
        racing.BeforeNextAppend = store => Handler(store).Item1.HandleAsync(new OpenCounter("a", "avocados", 10), Context(Guid.NewGuid()));

        await Assert.ThrowsAsync<CounterRefusedException>(() => handler.HandleAsync(new OpenCounter("a", "apples", 10), Context(Guid.NewGuid())));

        var claims = await _store.ReadWholeStreamAsync(CounterDecider.NameStream("apples"));
        Assert.Equal(["V1.CounterNameClaimed", "V1.CounterNameReleased"], claims.Select(e => e.EventType));
        Assert.Equal(1, rules.Undone);
        Assert.Single(await StreamAsync());
    }

    [Fact]
    public async Task GivenSideStepRefuses_WhenCommandSent_ThenNothingAppended()
    {
        await OpenAsync("a", "apples");

        await Assert.ThrowsAsync<CounterRefusedException>(() => OpenAsync("b", "apples"));

        Assert.Empty(await StreamAsync("b"));
        Assert.Equal(0, _rules.Undone);
    }

    [Fact]
    public async Task GivenBrokenFields_WhenCommandSent_ThenEveryErrorNamedByItsFieldAndNothingWritten()
    {
        await OpenAsync();

        var refusal = await Assert.ThrowsAsync<CounterValidationException>(() =>
            _handler.HandleAsync(new AddToCounter("a", [1, 0, -2]), Context(Guid.NewGuid())));

        Assert.Equal(["amounts[1]", "amounts[2]"], refusal.Errors.Select(e => e.Field));
        Assert.Equal("amounts[1]: 0 is not a positive amount; amounts[2]: -2 is not a positive amount", refusal.Message);
        Assert.Equal(2, (await LogAsync()).Count);
    }

    [Fact]
    public async Task GivenSameCommand_WhenSentConcurrently_ThenEveryCallGetsTheSameOutcomeAndItsEventsAreStoredOnce()
    {
        await OpenAsync();
        var commandId = Guid.NewGuid();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            Task.Run(() => _handler.HandleAsync(new AddToCounter("a", [1, 2]), Context(commandId, expectedVersion: 0, user: $"user-{i}")))));

        Assert.All(outcomes, o => Assert.Equal(outcomes[0].LogPosition, o.LogPosition));
        Assert.Equal(3, (await StreamAsync()).Count);
    }

    [Fact]
    public async Task GivenAnotherProcessAppendedSinceTheStateWasKept_WhenCommandSent_ThenDecidedOnTheStreamAsItStandsNow()
    {
        await OpenAsync(limit: 5);
        await _handler.HandleAsync(new AddToCounter("a", [1]), Context(Guid.NewGuid(), expectedVersion: 0));
        await _handler.HandleAsync(new AddToCounter("a", [1]), Context(Guid.NewGuid(), expectedVersion: 1));
        await Handler(_store).Item1.HandleAsync(new AddToCounter("a", [3]), Context(Guid.NewGuid(), expectedVersion: 2));

        // Only the other process's append takes the counter to its limit: deciding on the kept state would allow this.
        await Assert.ThrowsAsync<CounterRefusedException>(() => _handler.HandleAsync(new AddToCounter("a", [1]), Context(Guid.NewGuid())));

        Assert.Equal(4, (await StreamAsync()).Count);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

public sealed class SqliteStreamCommandHandlerTests() : StreamCommandHandlerTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresStreamCommandHandlerTests() : StreamCommandHandlerTests(StorageBackend.Postgres);
