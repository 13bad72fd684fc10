using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;

namespace Chronicle.Record.Tests.Domain;

public class MarkEnteredInErrorTests
{
    private static readonly object[] History =
    [
        Registered(), ConsultationRecorded(), ProblemAdded(1), new NoteWritten(EntryId(2), Encounter, "note"), new NoteWritten(EntryId(3), Encounter, "more"),
    ];

    [Fact]
    public void GivenEntry_WhenMarkedEnteredInError_ThenMarked() =>
        RecordSpec.Given(History)
            .When(new MarkEnteredInError(Patient, EntryId(2), "typed in the wrong record"))
            .Then(new EntryMarkedEnteredInError(EntryId(2), "typed in the wrong record"));

    [Fact]
    public void GivenEncounter_WhenMarkedEnteredInError_ThenEncounterAndEachOfItsRemainingEntriesMarked() =>
        RecordSpec.Given([.. History, new EntryMarkedEnteredInError(EntryId(2), "duplicate")])
            .When(new MarkEnteredInError(Patient, Encounter, "wrong patient"))
            .Then(
                new EntryMarkedEnteredInError(Encounter, "wrong patient"),
                new EntryMarkedEnteredInError(EntryId(1), "wrong patient"),
                new EntryMarkedEnteredInError(EntryId(3), "wrong patient"));

    [Fact]
    public void GivenEntryAlreadyEnteredInError_WhenMarkedAgain_ThenRefused()
    {
        var refusal = RecordSpec.Given([.. History, new EntryMarkedEnteredInError(EntryId(2), "duplicate")])
            .When(new MarkEnteredInError(Patient, EntryId(2), "again"))
            .ThenFails<RecordStateException>();

        Assert.Contains("already marked entered in error", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenEncounterAlreadyEnteredInError_WhenMarkedAgain_ThenRefused() =>
        RecordSpec.Given([.. History, new EntryMarkedEnteredInError(Encounter, "wrong patient")])
            .When(new MarkEnteredInError(Patient, Encounter, "again"))
            .ThenFails<RecordStateException>();

    [Fact]
    public void GivenUnknownId_WhenMarked_ThenEntryNotFound() =>
        RecordSpec.Given(History).When(new MarkEnteredInError(Patient, EntryId(42), "?")).ThenFails<EntryNotFoundException>();

    [Fact]
    public void GivenNoReason_WhenMarked_ThenRejected() =>
        RecordSpec.Given(History).When(new MarkEnteredInError(Patient, EntryId(2), " ")).ThenRejects("reason", "a reason is required");
}
