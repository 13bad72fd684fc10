using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>One patient's record with an entry of every kind; ids are fresh for each instance.</summary>
public sealed class SampleRecord
{
    /// <summary>When the sample consultations took place.</summary>
    public static readonly DateTimeOffset Consulted = new(2024, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public static readonly Coding Hypertension = new(CodeSystems.Snomed, "38341003", "Hypertensive disorder");
    public static readonly Coding Asthma = new(CodeSystems.Snomed, "195967001", "Asthma");
    public static readonly Coding BloodPressure = new(CodeSystems.Snomed, "75367002", "Blood pressure");
    public static readonly Coding Weight = new(CodeSystems.Snomed, "27113001", "Body weight");
    public static readonly Coding Penicillin = new(CodeSystems.Snomed, "764146007", "Penicillin");
    public static readonly Coding Amlodipine = new(CodeSystems.DmD, "319283006", "Amlodipine 5mg tablets");
    public static readonly Coding FluVaccine = new(CodeSystems.Snomed, "1181000221105", "Influenza vaccine");
    public static readonly Coding Cardiology = new(CodeSystems.Snomed, "183519002", "Referral to cardiology service");

    public SampleRecord(string nhsNumber = "9990001234", string family = "Smith", string given = "Olivia", string gender = "female",
        DateOnly? birthDate = null)
    {
        NhsNumber = nhsNumber;
        Demographics = new Demographics(new PersonName(family, [given]), birthDate ?? new DateOnly(1956, 4, 12), gender,
            new PostalAddress(["1 Park Row"], "Leeds", null, "LS1 5AB"), [new ContactPoint("phone", "0113 496 0000", "home")]);
    }

    public Guid PatientId { get; } = Guid.NewGuid();
    public string Id => PatientId.ToString("D");
    public string NhsNumber { get; }
    public Demographics Demographics { get; }
    public Guid Encounter { get; } = Guid.NewGuid();
    public Guid Problem { get; } = Guid.NewGuid();
    public Guid Observation { get; } = Guid.NewGuid();
    public Guid Allergy { get; } = Guid.NewGuid();
    public Guid Medication { get; } = Guid.NewGuid();
    public Guid Immunisation { get; } = Guid.NewGuid();
    public Guid Referral { get; } = Guid.NewGuid();
    public Guid Note { get; } = Guid.NewGuid();

    public PatientRegistered Registered => new(PatientId, NhsNumber, Demographics, "A81001");

    public object[] Consultation(DateTimeOffset at) =>
    [
        new ConsultationRecorded(Encounter, at, at.AddMinutes(10), new Clinician("G8123456", "Dr Anna Reid", "GP"), "A81001", "face-to-face", Hypertension),
        new ProblemAdded(Problem, Encounter, Hypertension, new DateOnly(2020, 5, 1), "active", null),
        new ObservationRecorded(Observation, Encounter, BloodPressure, at,
            null, [new ObservationComponent(new Coding(CodeSystems.Snomed, "271649006"), new Quantity(142, "mm[Hg]")),
                   new ObservationComponent(new Coding(CodeSystems.Snomed, "271650006"), new Quantity(88, "mm[Hg]"))]),
        new AllergyRecorded(Allergy, Encounter, Penicillin, new Coding(CodeSystems.Snomed, "271807003", "Eruption of skin"), "moderate", "high", null),
        new MedicationRecorded(Medication, Encounter, Amlodipine, "One tablet daily", new DateOnly(2023, 6, 1)),
        new ImmunisationGiven(Immunisation, Encounter, FluVaccine, new DateOnly(2023, 10, 5), "LOT42"),
        new ReferralMade(Referral, Encounter, Cardiology, Hypertension, "urgent", "Leeds General Infirmary"),
        new NoteWritten(Note, Encounter, "BP high; recheck in two weeks."),
    ];

    public static ObservationRecorded WeightOn(Guid encounter, DateTimeOffset at, decimal kg) =>
        new(Guid.NewGuid(), encounter, Weight, at, new Quantity(kg, "kg"), []);
}
