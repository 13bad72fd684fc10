using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;
using static Chronicle.Record.Tests.Domain.Examples;

namespace Chronicle.Record.Tests.Domain;

/// <summary>A procedure: a kind of entry declared beside its event, recorded through the consultation's generic path.</summary>
public class ProcedureTests
{
    private static readonly Coding Appendicectomy = Snomed("80146002", "Appendicectomy");

    private static DeclaredEntry Procedure(int n, Coding? code = null, DateOnly? performed = null, string? note = null) =>
        new(EntryId(n), new ProcedureRecorded(Guid.Empty, Guid.Empty, code ?? Appendicectomy, performed, note));

    [Fact]
    public void GivenRegisteredPatient_WhenAProcedureIsRecordedInAConsultation_ThenOneEventUnderTheConsultationsIdsWithEveryFieldAsGiven()
    {
        RecordSpec.Given(Registered())
            .When(Consultation(Procedure(1, performed: new DateOnly(2024, 5, 1), note: "Laparoscopic."), Problem(2)))
            .Then(
                ConsultationRecorded(),
                new ProcedureRecorded(EntryId(1), Encounter, Appendicectomy, new DateOnly(2024, 5, 1), "Laparoscopic."),
                ProblemAdded(2));
    }

    [Fact]
    public void GivenAProcedureRecorded_WhenFolded_ThenTheRecordHoldsItAsADeclaredEntryOfItsEncounter()
    {
        var recorded = new ProcedureRecorded(EntryId(1), Encounter, Appendicectomy, null, null);

        var entry = Assert.Single(PatientRecordDecider.Fold([Registered(), ConsultationRecorded(), recorded]).EntriesInRecordedOrder);

        Assert.Equal((EntryKind.Declared, Encounter, 2L), (entry.Kind, entry.EncounterId, entry.RecordedVersion));
        Assert.Same(recorded, entry.Recorded);
    }

    [Fact]
    public void GivenAProcedure_WhenMarkedEnteredInErrorOrResolved_ThenMarkedButNotResolvableAndTheRefusalNamesTheKind()
    {
        var history = new object[] { Registered(), ConsultationRecorded(), new ProcedureRecorded(EntryId(1), Encounter, Appendicectomy, null, null) };

        RecordSpec.Given(history).When(new MarkEnteredInError(Patient, EntryId(1), "wrong patient"))
            .Then(new EntryMarkedEnteredInError(EntryId(1), "wrong patient"));
        var refusal = RecordSpec.Given(history).When(new ResolveProblem(Patient, EntryId(1), new DateOnly(2025, 1, 1))).ThenFails<RecordStateException>();
        Assert.Contains("is a procedure, not a problem", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenEveryFieldBroken_WhenRecorded_ThenEveryErrorIsReportedAtOnceUnderTheKindsName()
    {
        var refusal = RecordSpec.Given(Registered())
            .When(Consultation(Procedure(1, Paracetamol, DateOnly.FromDateTime(Now.UtcDateTime).AddDays(3), new string('x', RecordRules.MaxNoteLength + 1))))
            .ThenFails<RecordValidationException>();

        Assert.Equal(["entries[0].procedure.code.system", "entries[0].procedure.performed", "entries[0].procedure.note"],
            refusal.Errors.Select(e => e.Field));
    }

    [Fact]
    public void GivenAProcedurePerformedBeforeThePatientWasBorn_WhenRecorded_ThenRejected() =>
        RecordSpec.Given(Registered()).When(Consultation(Procedure(1, performed: BirthDate.AddDays(-1))))
            .ThenRejects("entries[0].procedure.performed", "before the patient's birth date");

    [Fact]
    public void GivenTheKindsName_WhenReadFromJson_ThenTheEventWithoutIdsAndAnUnknownKindOrIdsOrBrokenJsonAreRefusedSayingWhy()
    {
        var read = DeclaredEntryKinds.Read("procedure",
            """{"code":{"system":"http://snomed.info/sct","code":"80146002"},"performed":"2024-05-01","note":"n"}""", out var none);
        Assert.Null(none);
        Assert.Equal(new ProcedureRecorded(Guid.Empty, Guid.Empty, Snomed("80146002"), new DateOnly(2024, 5, 1), "n"), read);

        Assert.Null(DeclaredEntryKinds.Read("V1.PatientRegistered", "{}", out var unknown));
        Assert.Contains("'V1.PatientRegistered' is not a kind of record entry; one of procedure", unknown, StringComparison.Ordinal);
        Assert.Null(DeclaredEntryKinds.Read("procedure", $$"""{"entryId":"{{EntryId(9)}}"}""", out var withIds));
        Assert.Contains("leave entryId and encounterId out", withIds, StringComparison.Ordinal);
        Assert.Null(DeclaredEntryKinds.Read("procedure", """{"performed":"May 2024"}""", out var broken));
        Assert.StartsWith("not a procedure entry:", broken, StringComparison.Ordinal);
        Assert.Null(DeclaredEntryKinds.Read("procedure", "null", out var nothing));
        Assert.Equal("a procedure entry needs a JSON object", nothing);
    }
}
