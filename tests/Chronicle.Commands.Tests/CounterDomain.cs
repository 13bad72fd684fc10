using System.Text.Json.Serialization;
using Chronicle.EventStore;

namespace Chronicle.Commands.Tests;

// A small test domain: named counters that are opened once, then added to (never past their limit). Opening a counter
// also claims its name on a stream of its own (the side step), as the Record claims NHS numbers.

public abstract record CounterCommand(string CounterId);

public sealed record OpenCounter(string CounterId, string Name, int Limit) : CounterCommand(CounterId);

/// <summary>Adds each amount in turn, one event each.</summary>
public sealed record AddToCounter(string CounterId, IReadOnlyList<int> Amounts) : CounterCommand(CounterId);

public static class CounterEventsV1
{
    [EventType("V1.CounterOpened")]
    public sealed record CounterOpened(string CounterId, string Name, int Limit);

    [EventType("V1.CounterAdded")]
    public sealed record CounterAdded(string CounterId, int Amount);

    [EventType("V1.CounterNameClaimed")]
    public sealed record CounterNameClaimed(string Name, string CounterId);

    [EventType("V1.CounterNameReleased")]
    public sealed record CounterNameReleased(string Name, string CounterId);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(CounterEventsV1.CounterOpened))]
[JsonSerializable(typeof(CounterEventsV1.CounterAdded))]
[JsonSerializable(typeof(CounterEventsV1.CounterNameClaimed))]
[JsonSerializable(typeof(CounterEventsV1.CounterNameReleased))]
public sealed partial class CounterEventsJsonContext : JsonSerializerContext;

public sealed record CounterState : IStreamState<CounterState>
{
    public static CounterState Initial { get; } = new();

    public static EventTypeRegistry EventTypes { get; } = new EventTypeRegistry().RegisterAll(typeof(CounterEventsV1), CounterEventsJsonContext.Default);

    public bool Opened { get; init; }
    public int Limit { get; init; }
    public int Total { get; init; }

    public static CounterState Evolve(CounterState state, object @event) => @event switch
    {
        CounterEventsV1.CounterOpened e => state with { Opened = true, Limit = e.Limit },
        CounterEventsV1.CounterAdded e => state with { Total = state.Total + e.Amount },
        _ => state,
    };
}

public sealed class CounterRefusedException(string message) : CommandRefusedException(message);

public sealed class CounterValidationException(IReadOnlyList<ValidationError> errors) : CommandValidationException(errors);

public sealed class CounterVersionConflictException(string stream, long expected, long current)
    : StreamVersionConflictException(stream, expected, current, $"Counter '{stream}' is at version {current}, not {expected}.");

public static class CounterDecider
{
    public static string StreamOf(string counterId) => $"counter-{counterId}";

    public static string NameStream(string name) => $"counter-name-{name}";

    public static IReadOnlyList<object> Decide(CounterState state, CounterCommand command)
    {
        var errors = new ValidationErrors();
        switch (command)
        {
            case OpenCounter open:
                if (string.IsNullOrWhiteSpace(open.Name))
                    errors.Add("name", "a name is required");
                if (open.Limit <= 0)
                    errors.Add("limit", $"{open.Limit} is not a positive limit");
                errors.ThrowIfAny(e => new CounterValidationException(e));
                if (state.Opened)
                    throw new CounterRefusedException($"Counter {open.CounterId} is open already.");
                return [new CounterEventsV1.CounterOpened(open.CounterId, open.Name, open.Limit)];
            case AddToCounter add:
                for (var i = 0; i < add.Amounts.Count; i++)
                {
                    if (add.Amounts[i] <= 0)
                        errors.Add($"amounts[{i}]", $"{add.Amounts[i]} is not a positive amount");
                }

                if (add.Amounts.Count == 0)
                    errors.Add("amounts", "at least one amount is required");
                errors.ThrowIfAny(e => new CounterValidationException(e));
                if (!state.Opened)
                    throw new CounterRefusedException($"Counter {add.CounterId} is not open.");
                if (state.Total + add.Amounts.Sum() > state.Limit)
                    throw new CounterRefusedException($"Counter {add.CounterId} would pass its limit of {state.Limit}.");
                return add.Amounts.Select(a => (object)new CounterEventsV1.CounterAdded(add.CounterId, a)).ToList();
            default:
                throw new ArgumentException($"{command.GetType().Name} is not a counter command.", nameof(command));
        }
    }
}

/// <summary>The counters' rules for the handler, with the name claim as a side step before an opening is appended.</summary>
public sealed class CounterRules(IEventStore store) : StreamCommandRules<CounterState, CounterCommand>
{
    public int Undone { get; private set; }

    public override string StreamOf(CounterCommand command) => CounterDecider.StreamOf(command.CounterId);

    public override IReadOnlyList<object> Decide(CounterState state, CounterCommand command, DateTimeOffset now) => CounterDecider.Decide(state, command);

    public override bool RetriesWhenOvertaken(CounterCommand command) => command is not OpenCounter;

    public override StreamVersionConflictException VersionConflict(CounterCommand command, string stream, long expectedVersion, long currentVersion) =>
        new CounterVersionConflictException(stream, expectedVersion, currentVersion);

    public override CommandRefusedException? RefusalWhenOvertaken(CounterCommand command, CounterState current) =>
        command is OpenCounter && current.Opened ? new CounterRefusedException($"Counter {command.CounterId} is open already.") : null;

    public override async Task<bool> BeforeAppendAsync(DecidedCommand<CounterCommand> decided, CancellationToken cancellationToken)
    {
        if (decided.Command is not OpenCounter open)
            return false;
        var stream = CounterDecider.NameStream(open.Name);
        var history = await store.ReadWholeStreamAsync(stream, cancellationToken: cancellationToken);
        if (history.Count > 0 && CounterState.EventTypes.Deserialize(history[^1]) is CounterEventsV1.CounterNameClaimed claimed)
        {
            if (claimed.CounterId == open.CounterId)
                return true;
            throw new CounterRefusedException($"The name '{open.Name}' is taken by counter {claimed.CounterId}.");
        }

        var claim = CounterState.EventTypes.ToEventData(CommandIds.Create(decided.Context.CommandId, $"name-claim/{open.Name}/{history.Count}"),
            new CounterEventsV1.CounterNameClaimed(open.Name, open.CounterId), decided.Context.EventMetadata);
        await store.AppendAsync(stream, history.Count == 0 ? ExpectedVersion.NoStream : ExpectedVersion.Exact(history.Count - 1), [claim], cancellationToken);
        return true;
    }

    public override async Task AfterFailedAppendAsync(DecidedCommand<CounterCommand> decided, Exception failure)
    {
        var open = (OpenCounter)decided.Command;
        var stream = CounterDecider.NameStream(open.Name);
        var history = await store.ReadWholeStreamAsync(stream);
        var release = CounterState.EventTypes.ToEventData(CommandIds.Create(history[^1].EventId, "released"),
            new CounterEventsV1.CounterNameReleased(open.Name, open.CounterId), decided.Context.EventMetadata);
        await store.AppendAsync(stream, ExpectedVersion.Exact(history[^1].StreamVersion), [release]);
        Undone++;
    }
}
