using Chronicle.EventStore;
using Chronicle.Record.Domain;
using Chronicle.Record.Messaging;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;
using V1 = Chronicle.Contracts.IntegrationEvents.Record.RecordIntegrationEventsV1;

namespace Chronicle.Record.Tests.Messaging;

/// <summary>What other services hear of each kind of entry: one ClinicalEntryRecorded, its kind and code.</summary>
public class RecordIntegrationEventMapperTests
{
    [Fact]
    public void GivenAFamilyHistoryAndADeclaredKindOfEntry_WhenMapped_ThenEachIsAnnouncedAsAClinicalEntryUnderItsKindsName()
    {
        var announced = new[]
        {
            new FamilyHistoryRecorded(EntryId(1), Encounter, "MTH", Hypertension, 50, null) as object,
            new ProcedureRecorded(EntryId(2), Encounter, Snomed("80146002"), null, null),
        }.Select((e, i) => Assert.IsType<V1.ClinicalEntryRecorded>(Assert.Single(new RecordIntegrationEventMapper().Map(Recorded(e, i + 2))))).ToList();

        Assert.Equal(
            [(EntryId(1), "family-history", "38341003", 2L), (EntryId(2), "procedure", "80146002", 3L)],
            announced.Select(a => (a.EntryId, a.Kind, a.Code!, a.RecordVersion)));
        Assert.All(announced, a => Assert.Equal((Patient.Value, Encounter, CodeSystems.Snomed), (a.PatientId, a.EncounterId, a.CodeSystem)));
    }

    private static RecordedEvent Recorded(object @event, long version)
    {
        var data = PatientRecordState.EventTypes.ToEventData(Guid.NewGuid(), @event, EventMetadata.Empty);
        return new RecordedEvent(Patient.StreamName, version, version + 1, 1, data.EventId, data.EventType, data.Data, data.Metadata, Now);
    }
}
