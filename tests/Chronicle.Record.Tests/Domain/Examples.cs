using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Tests.Domain;

/// <summary>Realistic test data: SNOMED CT and dm+d ids here pass the Verhoeff check.</summary>
internal static class Examples
{
    public static readonly DateTimeOffset Now = new(2025, 6, 2, 10, 0, 0, TimeSpan.Zero);
    public static readonly PatientId Patient = new(Guid.Parse("0b8f1c3e-5a4d-4e6f-9a1b-2c3d4e5f6a7b"));
    public const string ValidNhsNumber = "9434765919";
    public const string Practice = "A81001";
    public static readonly DateOnly BirthDate = new(1980, 4, 12);
    public static readonly Guid Encounter = Guid.Parse("e0000000-0000-4000-8000-000000000001");
    public static readonly DateTimeOffset ConsultationStart = new(2025, 6, 2, 9, 30, 0, TimeSpan.Zero);
    public static readonly Clinician Gp = new("G1234567", "Dr Asha Patel", "GP");

    public static Coding Snomed(string code, string? display = null) => new(CodeSystems.Snomed, code, display);
    public static Coding DmD(string code, string? display = null) => new(CodeSystems.DmD, code, display);

    public static readonly Coding Hypertension = Snomed("38341003", "Hypertension");
    public static readonly Coding Asthma = Snomed("195967001", "Asthma");
    public static readonly Coding BodyWeight = Snomed("27113001", "Body weight");
    public static readonly Coding BloodPressure = Snomed("75367002", "Blood pressure");
    public static readonly Coding Systolic = Snomed("271649006", "Systolic blood pressure");
    public static readonly Coding Diastolic = Snomed("271650006", "Diastolic blood pressure");
    public static readonly Coding Penicillin = Snomed("764146007", "Penicillin");
    public static readonly Coding Anaphylaxis = Snomed("39579001", "Anaphylaxis");
    public static readonly Coding Paracetamol = DmD("39720311000001101", "Paracetamol 500mg tablets");
    public static readonly Coding FluVaccine = DmD("39114911000001105", "Influenza vaccine");
    public static readonly Coding CardiologyReferral = Snomed("183519002", "Referral to cardiology service");

    public static Demographics Demographics(string family = "Smith", DateOnly? birthDate = null) => new(
        new PersonName(family, ["Jane"], "Mrs"),
        birthDate ?? BirthDate,
        "female",
        new PostalAddress(["1 High Street"], "Leeds", null, "LS1 1AA"),
        [new ContactPoint("phone", "0113 496 0000", "home")]);

    public static PatientRegistered Registered() => new(Patient.Value, ValidNhsNumber, Demographics(), Practice);

    public static RegisterPatient Register(string nhsNumber = ValidNhsNumber, Demographics? demographics = null, string practice = Practice) =>
        new(Patient, nhsNumber, demographics ?? Demographics(), practice);

    public static Guid EntryId(int n) => Guid.Parse($"a0000000-0000-4000-8000-{n:D12}");

    public static RecordConsultation Consultation(params ConsultationEntry[] entries) =>
        new(Patient, Encounter, ConsultationStart, ConsultationStart.AddMinutes(10), Gp, Practice, "face-to-face", null, entries);

    public static ConsultationRecorded ConsultationRecorded() =>
        new(Encounter, ConsultationStart, ConsultationStart.AddMinutes(10), Gp, Practice, "face-to-face", null);

    public static ProblemEntry Problem(int n, Coding? code = null, string status = "active", DateOnly? onset = null, DateOnly? resolved = null) =>
        new(EntryId(n), code ?? Hypertension, onset ?? new DateOnly(2025, 5, 20), status, resolved);

    public static ProblemAdded ProblemAdded(int n, DateOnly? onset = null) =>
        new(EntryId(n), Encounter, Hypertension, onset ?? new DateOnly(2025, 5, 20), "active", null);

    public static ObservationEntry Weight(int n, decimal kg = 72.5m, string unit = "kg") =>
        new(EntryId(n), BodyWeight, null, new Quantity(kg, unit), []);

    public static ObservationEntry BloodPressureReading(int n, string systolicUnit = "mm[Hg]", string diastolicUnit = "mm[Hg]") =>
        new(EntryId(n), BloodPressure, ConsultationStart, null,
            [new ObservationComponent(Systolic, new Quantity(142, systolicUnit)), new ObservationComponent(Diastolic, new Quantity(91, diastolicUnit))]);

    public static AllergyEntry Allergy(int n) => new(EntryId(n), Penicillin, Anaphylaxis, "severe", "high", new DateOnly(1999, 1, 1));

    public static MedicationStatementEntry Medication(int n) => new(EntryId(n), Paracetamol, "one tablet daily", new DateOnly(2025, 1, 6));

    public static ImmunisationEntry Immunisation(int n) => new(EntryId(n), FluVaccine, new DateOnly(2025, 6, 2), "FL1234");

    public static ReferralEntry Referral(int n) => new(EntryId(n), CardiologyReferral, Hypertension, "routine", "Leeds General Infirmary");

    public static NoteEntry Note(int n, string text = "Discussed lifestyle changes.") => new(EntryId(n), text);
}
