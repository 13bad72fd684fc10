using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;

namespace Chronicle.Record.Tests.Domain;

public class ResolveProblemTests
{
    private static readonly object[] History = [Registered(), ConsultationRecorded(), ProblemAdded(1), new NoteWritten(EntryId(2), Encounter, "note")];

    [Fact]
    public void GivenActiveProblem_WhenResolved_ThenProblemResolved() =>
        RecordSpec.Given(History)
            .When(new ResolveProblem(Patient, EntryId(1), new DateOnly(2025, 6, 1)))
            .Then(new ProblemResolved(EntryId(1), new DateOnly(2025, 6, 1)));

    [Fact]
    public void GivenResolvedProblem_WhenResolvedAgain_ThenRefused()
    {
        var refusal = RecordSpec.Given([.. History, new ProblemResolved(EntryId(1), new DateOnly(2025, 6, 1))])
            .When(new ResolveProblem(Patient, EntryId(1), new DateOnly(2025, 6, 2)))
            .ThenFails<RecordStateException>();

        Assert.Contains("already resolved", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenNote_WhenResolved_ThenRefusedAsNotAProblem()
    {
        var refusal = RecordSpec.Given(History).When(new ResolveProblem(Patient, EntryId(2), new DateOnly(2025, 6, 1)))
            .ThenFails<RecordStateException>();

        Assert.Contains("is a note, not a problem", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenProblemEnteredInError_WhenResolved_ThenRefused() =>
        RecordSpec.Given([.. History, new EntryMarkedEnteredInError(EntryId(1), "wrong patient")])
            .When(new ResolveProblem(Patient, EntryId(1), new DateOnly(2025, 6, 1)))
            .ThenFails<RecordStateException>();

    [Fact]
    public void GivenUnknownEntry_WhenResolved_ThenEntryNotFound() =>
        RecordSpec.Given(History).When(new ResolveProblem(Patient, EntryId(99), new DateOnly(2025, 6, 1))).ThenFails<EntryNotFoundException>();

    [Fact]
    public void GivenProblem_WhenResolvedBeforeItsOnset_ThenRejected() =>
        RecordSpec.Given(History).When(new ResolveProblem(Patient, EntryId(1), new DateOnly(2025, 5, 19)))
            .ThenRejects("abatement_date", "before the problem's onset date (2025-05-20)");

    [Fact]
    public void GivenProblem_WhenResolvedInTheFuture_ThenRejected() =>
        RecordSpec.Given(History).When(new ResolveProblem(Patient, EntryId(1), new DateOnly(2025, 7, 1)))
            .ThenRejects("abatement_date", "in the future");

    [Fact]
    public void GivenNoRecord_WhenResolved_ThenPatientNotFound() =>
        RecordSpec.Given().When(new ResolveProblem(Patient, EntryId(1), new DateOnly(2025, 6, 1))).ThenFails<PatientNotFoundException>();
}
