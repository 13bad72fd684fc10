namespace Chronicle.Record.Domain;

// Commands on a patient's record, mirroring chronicle.record.v1. Ids the client left out are filled in
// before a command is built (see DerivedIds), so deciding a command is deterministic.

public abstract record PatientRecordCommand(PatientId PatientId);

public sealed record RegisterPatient(PatientId PatientId, string NhsNumber, Demographics Demographics, string GeneralPracticeOds)
    : PatientRecordCommand(PatientId);

public sealed record UpdateDemographics(PatientId PatientId, Demographics Demographics) : PatientRecordCommand(PatientId);

/// <summary>Mode: face-to-face | telephone | video | online | home-visit.</summary>
public sealed record RecordConsultation(
    PatientId PatientId,
    Guid EncounterId,
    DateTimeOffset Start,
    DateTimeOffset? End,
    Clinician Practitioner,
    string ServiceProviderOds,
    string Mode,
    Coding? Reason,
    IReadOnlyList<ConsultationEntry> Entries) : PatientRecordCommand(PatientId);

public sealed record ResolveProblem(PatientId PatientId, Guid EntryId, DateOnly Resolved) : PatientRecordCommand(PatientId);

/// <summary>Marks an entry, or an encounter together with its entries, as entered in error.</summary>
public sealed record MarkEnteredInError(PatientId PatientId, Guid EntryId, string Reason) : PatientRecordCommand(PatientId);

/// <summary>One fact recorded in a consultation. Each kind becomes one event of the same shape.</summary>
public abstract record ConsultationEntry(Guid EntryId);

/// <summary>ClinicalStatus: active | resolved; Resolved only for a resolved problem.</summary>
public sealed record ProblemEntry(Guid EntryId, Coding Code, DateOnly? Onset, string ClinicalStatus, DateOnly? Resolved)
    : ConsultationEntry(EntryId);

/// <summary>A value or components, not both. Effective defaults to the consultation's start.</summary>
public sealed record ObservationEntry(
    Guid EntryId, Coding Code, DateTimeOffset? Effective, Quantity? Value, IReadOnlyList<RecordEventsV1.ObservationComponent> Components)
    : ConsultationEntry(EntryId);

/// <summary>Severity: mild | moderate | severe (optional). Criticality: low | high | unable-to-assess.</summary>
public sealed record AllergyEntry(Guid EntryId, Coding Substance, Coding? Reaction, string? Severity, string Criticality, DateOnly? Onset)
    : ConsultationEntry(EntryId);

/// <summary>A medication taken but prescribed elsewhere; Medication is a dm+d coding.</summary>
public sealed record MedicationStatementEntry(Guid EntryId, Coding Medication, string? Dosage, DateOnly? Started)
    : ConsultationEntry(EntryId);

public sealed record ImmunisationEntry(Guid EntryId, Coding Vaccine, DateOnly Occurrence, string? LotNumber)
    : ConsultationEntry(EntryId);

/// <summary>Priority: routine | urgent | asap | stat.</summary>
public sealed record ReferralEntry(Guid EntryId, Coding Service, Coding? Reason, string Priority, string? Recipient)
    : ConsultationEntry(EntryId);

public sealed record NoteEntry(Guid EntryId, string Text) : ConsultationEntry(EntryId);

/// <summary>A relative's condition. Relationship: an HL7 v3 RoleCode (MTH, FTH, SIS, …); Condition: SNOMED CT; OnsetAge in years.</summary>
public sealed record FamilyHistoryEntry(Guid EntryId, string Relationship, Coding Condition, int? OnsetAge, string? Note) : ConsultationEntry(EntryId);

/// <summary>An entry of a kind declared beside its event (<see cref="IDeclaredEntry"/>), its ids still to be given.</summary>
public sealed record DeclaredEntry(Guid EntryId, IDeclaredEntry Entry) : ConsultationEntry(EntryId);
