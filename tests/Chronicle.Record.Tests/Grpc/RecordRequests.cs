using Chronicle.Contracts.Record.V1;
using Google.Protobuf.WellKnownTypes;

namespace Chronicle.Record.Tests.Grpc;

/// <summary>Valid requests to start from; a test changes the one field it is about.</summary>
internal static class RecordRequests
{
    public const string Snomed = "http://snomed.info/sct";
    public const string DmD = "https://dmd.nhs.uk";

    public static string NewId() => Guid.NewGuid().ToString();

    public static Coding SnomedCoding(string code, string display) => new() { System = Snomed, Code = code, Display = display };

    public static RegisterPatientRequest Registration(string nhsNumber = "943 476 5919") => new()
    {
        CommandId = NewId(),
        NhsNumber = nhsNumber,
        GeneralPracticeOds = "A81001",
        Demographics = new Demographics
        {
            Name = new HumanName { Family = "Smith", Given = { "Jane" }, Prefix = "Mrs" },
            BirthDate = "1980-04-12",
            Gender = "female",
            Address = new Address { Line = { "1 High Street" }, City = "Leeds", PostalCode = "LS1 1AA" },
            Telecom = { new ContactPoint { System = "phone", Value = "0113 496 0000", Use = "home" } },
        },
    };

    public static RecordConsultationRequest Consultation(string patientId, long expectedVersion, params ConsultationEntry[] entries)
    {
        var request = new RecordConsultationRequest
        {
            CommandId = NewId(),
            PatientId = patientId,
            ExpectedVersion = expectedVersion,
            Start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-20)),
            End = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-10)),
            Practitioner = new Practitioner { Id = "G1234567", Name = "Dr Asha Patel", Role = "GP" },
            ServiceProviderOds = "A81001",
            Mode = "face-to-face",
            Reason = SnomedCoding("38341003", "Hypertension"),
        };
        request.Entries.AddRange(entries);
        return request;
    }

    public static ConsultationEntry Note(string text) => new() { Note = new Note { Text = text } };

    public static ConsultationEntry Problem(string code = "38341003", string display = "Hypertension") => new()
    {
        Problem = new Problem { Code = SnomedCoding(code, display), OnsetDate = "2020-03-01", ClinicalStatus = "active" },
    };

    public static ConsultationEntry Weight(string kg = "72.5") => new()
    {
        Observation = new Observation { Code = SnomedCoding("27113001", "Body weight"), Value = new Quantity { Value = kg, Unit = "kg" } },
    };

    public static ConsultationEntry BloodPressure() => new()
    {
        Observation = new Observation
        {
            Code = SnomedCoding("75367002", "Blood pressure"),
            Components =
            {
                new ObservationComponent { Code = SnomedCoding("271649006", "Systolic"), Value = new Quantity { Value = "142", Unit = "mm[Hg]" } },
                new ObservationComponent { Code = SnomedCoding("271650006", "Diastolic"), Value = new Quantity { Value = "91", Unit = "mm[Hg]" } },
            },
        },
    };

    public static ConsultationEntry Allergy() => new()
    {
        Allergy = new AllergyIntolerance
        {
            Substance = SnomedCoding("764146007", "Penicillin"),
            Reaction = SnomedCoding("39579001", "Anaphylaxis"),
            Severity = "severe",
            Criticality = "high",
        },
    };

    public static ConsultationEntry Medication() => new()
    {
        MedicationStatement = new MedicationStatement
        {
            Medication = new Coding { System = DmD, Code = "39720311000001101", Display = "Paracetamol 500mg tablets" },
            Dosage = "one tablet up to four times a day",
            EffectiveDate = "2025-01-06",
        },
    };

    public static ConsultationEntry Immunisation() => new()
    {
        Immunisation = new Immunization
        {
            Vaccine = new Coding { System = DmD, Code = "39114911000001105", Display = "Influenza vaccine" },
            OccurrenceDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            LotNumber = "FL1234",
        },
    };

    public static ConsultationEntry Referral() => new()
    {
        Referral = new Referral
        {
            Service = SnomedCoding("183519002", "Referral to cardiology service"),
            Reason = SnomedCoding("38341003", "Hypertension"),
            Priority = "urgent",
            Recipient = "Leeds General Infirmary",
        },
    };
}
