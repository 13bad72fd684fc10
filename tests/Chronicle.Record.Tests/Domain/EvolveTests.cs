using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;

namespace Chronicle.Record.Tests.Domain;

public class EvolveTests
{
    [Fact]
    public void GivenNoEvents_WhenFolded_ThenRecordDoesNotExistAndIsAtVersionMinusOne()
    {
        var state = PatientRecordDecider.Fold([]);

        Assert.False(state.Exists);
        Assert.Equal(-1, state.Version);
    }

    [Fact]
    public void GivenRegistration_WhenFolded_ThenRecordExistsAtVersionZero()
    {
        var state = PatientRecordDecider.Fold([Registered()]);

        Assert.True(state.Exists);
        Assert.Equal(0, state.Version);
        Assert.Equal(Patient, state.PatientId);
        Assert.Equal(ValidNhsNumber, state.NhsNumber?.Value);
        Assert.Equal(Practice, state.GeneralPracticeOds);
        Assert.Equal(BirthDate, state.Demographics?.BirthDate);
    }

    [Fact]
    public void GivenDemographicsUpdated_WhenFolded_ThenLatestDemographicsKept()
    {
        var state = PatientRecordDecider.Fold([Registered(), new DemographicsUpdated(Patient.Value, Demographics(family: "Jones"))]);

        Assert.Equal("Jones", state.Demographics?.Name.Family);
        Assert.Equal(1, state.Version);
    }

    [Fact]
    public void GivenConsultationWithEntries_WhenFolded_ThenEachEntryKeptWithKindEncounterAndVersion()
    {
        var state = PatientRecordDecider.Fold([
            Registered(), ConsultationRecorded(), ProblemAdded(1), new NoteWritten(EntryId(2), Encounter, "note"),
            new ObservationRecorded(EntryId(3), Encounter, BodyWeight, ConsultationStart, new Quantity(70, "kg"), []),
        ]);

        Assert.Equal(4, state.Version);
        Assert.Equal(Encounter, Assert.Single(state.Encounters.Values).EncounterId);
        Assert.Equal([EntryKind.Problem, EntryKind.Note, EntryKind.Observation], state.EntriesInRecordedOrder.Select(e => e.Kind));
        Assert.Equal([2L, 3L, 4L], state.EntriesInRecordedOrder.Select(e => e.RecordedVersion));
        Assert.All(state.Entries.Values, e => Assert.Equal(Encounter, e.EncounterId));
        Assert.Equal("active", state.Entries[EntryId(1)].ClinicalStatus);
    }

    [Fact]
    public void GivenProblemResolved_WhenFolded_ThenStatusAndDateUpdatedAndOriginalFactKept()
    {
        var state = PatientRecordDecider.Fold([
            Registered(), ConsultationRecorded(), ProblemAdded(1), new ProblemResolved(EntryId(1), new DateOnly(2025, 6, 1)),
        ]);

        var problem = state.Entries[EntryId(1)];
        Assert.Equal("resolved", problem.ClinicalStatus);
        Assert.Equal(new DateOnly(2025, 6, 1), problem.Resolved);
        Assert.Equal("active", Assert.IsType<ProblemAdded>(problem.Recorded).ClinicalStatus);
    }

    [Fact]
    public void GivenEntryAndEncounterMarkedEnteredInError_WhenFolded_ThenFlaggedButKept()
    {
        var state = PatientRecordDecider.Fold([
            Registered(), ConsultationRecorded(), ProblemAdded(1),
            new EntryMarkedEnteredInError(Encounter, "wrong patient"), new EntryMarkedEnteredInError(EntryId(1), "wrong patient"),
        ]);

        Assert.True(state.Encounters[Encounter].EnteredInError);
        Assert.True(state.Entries[EntryId(1)].EnteredInError);
        Assert.Equal("wrong patient", state.Entries[EntryId(1)].EnteredInErrorReason);
    }
}
