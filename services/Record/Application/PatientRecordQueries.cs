using System.Globalization;
using Chronicle.EventStore;
using Chronicle.Record.Domain;

namespace Chronicle.Record.Application;

/// <summary>Where in the record's past to look: a recorded time or a position of the global log.</summary>
public abstract record RecordAsAt
{
    public sealed record Time(DateTimeOffset RecordedAt) : RecordAsAt;

    public sealed record Position(LogPosition LogPosition) : RecordAsAt;
}

/// <summary>One page of a record's history; <see cref="NextFromVersion"/> is null on the last page.</summary>
public sealed record RecordHistoryPage(IReadOnlyList<RecordedEvent> Events, long? NextFromVersion);

/// <summary>
/// Reads patients' records straight from their event streams (the FHIR read models serve everything else). The current
/// record comes through the commands' <see cref="RecordStateCache"/>, brought up to date from the stream, so a record
/// opened before a consultation is recorded is already folded when the command comes.
/// </summary>
public sealed class PatientRecordQueries(IEventStore store, RecordStateCache records)
{
    public const int DefaultHistoryPageSize = 100;
    public const int MaxHistoryPageSize = 1000;

    private static readonly EventTypeRegistry Registry = PatientRecordState.EventTypes;

    /// <summary>Queries with a cache of their own, with the default bounds.</summary>
    public PatientRecordQueries(IEventStore store)
        : this(store, new RecordStateCache())
    {
    }

    public async Task<PatientRecordState> GetRecordAsync(PatientId patientId, CancellationToken cancellationToken = default)
    {
        var state = (await records.CurrentAsync(store, patientId.StreamName, cancellationToken).ConfigureAwait(false)).State;
        return state.Exists ? state : throw new PatientNotFoundException(patientId, $"Patient {patientId} is not registered.");
    }

    public async Task<PatientRecordState> GetRecordAsAtAsync(PatientId patientId, RecordAsAt asAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(asAt);
        (LogPosition? position, DateTimeOffset? time, string described) = asAt switch
        {
            RecordAsAt.Position p => ((LogPosition?)p.LogPosition, (DateTimeOffset?)null, $"log position {p.LogPosition}"),
            RecordAsAt.Time t => ((LogPosition?)null, (DateTimeOffset?)t.RecordedAt, t.RecordedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)),
            _ => throw new ArgumentException("Unknown point in time.", nameof(asAt)),
        };
        var history = await store.ReadWholeStreamAsync(patientId.StreamName, position, time, cancellationToken: cancellationToken).ConfigureAwait(false);
        return FoldExisting(patientId, history, $"Patient {patientId} was not registered at {described}.");
    }

    public async Task<RecordHistoryPage> GetHistoryAsync(PatientId patientId, long fromVersion, int maxCount, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        if (fromVersion < 0)
            errors.Add("from_version", "must be 0 or more");
        if (maxCount is < 0 or > MaxHistoryPageSize)
            errors.Add("max_count", $"must be between 1 and {MaxHistoryPageSize} (0 means {DefaultHistoryPageSize})");
        errors.ThrowIfAny();

        var pageSize = maxCount == 0 ? DefaultHistoryPageSize : maxCount;
        var stream = patientId.StreamName;
        if (!(await store.GetStreamStateAsync(stream, cancellationToken).ConfigureAwait(false)).Exists)
            throw new PatientNotFoundException(patientId);

        // One extra event tells whether another page follows.
        var events = await store.ReadStreamAsync(stream, new StreamReadOptions { FromVersion = fromVersion, MaxCount = pageSize + 1 },
            cancellationToken).ConfigureAwait(false);
        return events.Count > pageSize
            ? new RecordHistoryPage(events.Take(pageSize).ToArray(), events[pageSize].StreamVersion)
            : new RecordHistoryPage(events, null);
    }

    private static PatientRecordState FoldExisting(PatientId patientId, IReadOnlyList<RecordedEvent> history, string notFound)
    {
        var state = PatientRecordDecider.Fold(history.Select(Registry.Deserialize));
        return state.Exists ? state : throw new PatientNotFoundException(patientId, notFound);
    }
}
