using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Chronicle.EventStore;
using Chronicle.Record.Application;
using Chronicle.Record.Domain;
using Chronicle.Record.Synthetic;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Tests.Application;

/// <summary>
/// A record kept and then brought up to date by folding only the events after it must be exactly the record a fold
/// of the whole stream gives, after every event of many generated records and from every point it could be kept at.
/// </summary>
public sealed class FoldedRecordTests
{
    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();
    private static readonly DateOnly Today = new(2026, 1, 1);

    public static TheoryData<int> Seeds => [1, 2, 3, 20261123];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void GivenGeneratedRecords_WhenKeptAtAnyVersionAndTailFolded_ThenSameAsFullFoldAfterEveryEvent(int seed)
    {
        var records = new SyntheticRecords(seed, Today);
        var random = new Random(seed);
        for (var patient = 0; patient < 6; patient++)
        {
            var stream = StoredStream(records.Patient(patient));

            // One event at a time, as a cache that sees every command would.
            var kept = FoldedRecord.Empty;
            for (var n = 1; n <= stream.Count; n++)
            {
                kept = kept.Extend(stream.Skip(n - 1).Take(1));
                var full = FoldedRecord.From(stream.Take(n));
                AssertSameRecord(full, kept);

                // Kept at a random earlier version, then the whole tail at once, as after another process's appends.
                var keptAt = random.Next(0, n + 1);
                AssertSameRecord(full, FoldedRecord.From(stream.Take(keptAt)).Extend(stream.Skip(keptAt).Take(n - keptAt)));
            }
        }
    }

    [Fact]
    public void GivenTailThatDoesNotFollowOn_WhenFolded_ThenRefused()
    {
        var stream = StoredStream(new SyntheticRecords(1, Today).Patient(0));
        var kept = FoldedRecord.From(stream.Take(3));

        Assert.Throws<InvalidOperationException>(() => kept.Extend(stream.Skip(4)));
        Assert.Throws<InvalidOperationException>(() => kept.Extend(stream.Skip(2)));
    }

    [Fact]
    public void GivenNoNewEvents_WhenExtended_ThenSameRecord()
    {
        var kept = FoldedRecord.From(StoredStream(new SyntheticRecords(1, Today).Patient(0)));

        Assert.Same(kept, kept.Extend([]));
    }

    [Fact]
    public void GivenAStoredStream_WhenFolded_ThenEveryEventIdFoldedIsKnownAndTheLastIsRemembered()
    {
        var stream = StoredStream(new SyntheticRecords(1, Today).Patient(0));

        var folded = FoldedRecord.From(stream);

        Assert.All(stream, e => Assert.True(folded.Contains(e.EventId)));
        Assert.False(folded.Contains(Guid.NewGuid()));
        Assert.Equal(stream[^1].EventId, folded.LastEventId);
        Assert.Equal(stream[^1].StreamVersion, folded.Version);
    }

    [Fact]
    public void GivenTheStateTypes_WhenTheirPropertiesAreInspected_ThenNothingCanChangeAKeptRecord()
    {
        // A kept record is shared by every command in flight on that patient: no setter but init, no mutable collection.
        Type[] types = [typeof(FoldedRecord), typeof(PatientRecordState), typeof(RecordEntry), typeof(EncounterRecord)];
        foreach (var property in types.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)))
        {
            if (property.SetMethod is { } setter)
                Assert.True(setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)), $"{property.DeclaringType}.{property.Name} has a setter");
            Assert.False(property.PropertyType.IsGenericType
                && property.PropertyType.GetGenericTypeDefinition() is var definition
                && (definition == typeof(List<>) || definition == typeof(Dictionary<,>) || definition == typeof(HashSet<>)),
                $"{property.DeclaringType}.{property.Name} is a mutable collection");
        }
    }

    /// <summary>Every field of both records, entries and encounters in id order, as JSON: equal text, equal records.</summary>
    internal static void AssertSameRecord(FoldedRecord expected, FoldedRecord actual)
    {
        Assert.Equal(Canonical(expected.State), Canonical(actual.State));
        Assert.Equal(expected.LastEventId, actual.LastEventId);
        Assert.Equal(expected.EventIds.Order(), actual.EventIds.Order());
    }

    internal static string Canonical(PatientRecordState state) => JsonSerializer.Serialize(new
    {
        state.Exists,
        state.PatientId,
        NhsNumber = state.NhsNumber?.Value,
        state.Demographics,
        state.GeneralPracticeOds,
        state.Version,
        Entries = state.Entries.OrderBy(e => e.Key).ToList(),
        Encounters = state.Encounters.OrderBy(e => e.Key).ToList(),
    });

    /// <summary>A patient's generated appends as the store would give them back, plus a change of demographics and an encounter entered in error.</summary>
    internal static IReadOnlyList<RecordedEvent> StoredStream(IReadOnlyList<SyntheticAppend> appends)
    {
        var registered = (PatientRegistered)appends[0].Events[0];
        var encounter = appends.SelectMany(a => a.Events).OfType<ConsultationRecorded>().First();
        var events = appends
            .SelectMany(a => a.Events.Select((e, i) => Registry.ToEventData(DerivedIds.Event(a.CommandId, i), e, a.Metadata)))
            .Append(Registry.ToEventData(Guid.NewGuid(), new DemographicsUpdated(registered.PatientId,
                registered.Demographics with { Name = registered.Demographics.Name with { Family = "Changed" } }), EventMetadata.Empty))
            .Append(Registry.ToEventData(Guid.NewGuid(), new EntryMarkedEnteredInError(encounter.EncounterId, "wrong patient"), EventMetadata.Empty))
            .ToList();
        var stream = new PatientId(registered.PatientId).StreamName;
        return events.Select((e, version) => new RecordedEvent(stream, version, version + 1, 1, e.EventId, e.EventType, e.Data, e.Metadata,
            DateTimeOffset.UnixEpoch)).ToList();
    }
}
