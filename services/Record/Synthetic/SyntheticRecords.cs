using System.Globalization;
using Chronicle.EventStore;
using Chronicle.Record.Domain;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Synthetic;

/// <summary>
/// One append of a synthetic patient's history: the events and who recorded them, as one command would have.
/// <see cref="CommandId"/> stands for that command's id: event ids derive from it (<see cref="DerivedIds.Event"/>),
/// so writing the same history twice stores it once.
/// </summary>
public sealed record SyntheticAppend(Guid PatientId, IReadOnlyList<object> Events, EventMetadata Metadata)
{
    public Guid CommandId { get; init; }
}

/// <summary>
/// Makes deterministic, realistic GP histories for demos and benchmarks: the same seed and day always give the same
/// patients, ids and facts, in any process. NHS numbers use the 999 range, which the NHS never issues to real people,
/// and no two patients of one seed share one (up to <see cref="MaxDistinctNhsNumbers"/> patients). Each
/// patient gets a registration, chronic problems with their monitoring (blood pressure, HbA1c, weight),
/// acute problems that resolve, allergies, medications, immunisations, referrals and notes, spread over years.
/// </summary>
public sealed class SyntheticRecords(int seed, DateOnly today)
{
    private static readonly string[] Practices = ["A81001", "A81002", "B82005", "C83019", "D81043"];
    private static readonly string[] FamilyNames = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Khan", "Evans", "Thomas", "Roberts", "Walker", "Wright", "Okafor", "Nowak", "Hughes"];
    private static readonly string[] FemaleNames = ["Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Freya", "Aisha", "Zofia", "Margaret", "Joan"];
    private static readonly string[] MaleNames = ["Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Mohammed", "Kwame", "Jan", "Frederick", "Alan"];
    private static readonly string[] Towns = ["Leeds", "Bradford", "Harrogate", "York", "Wakefield"];
    private static readonly Clinician[] Clinicians =
    [
        new("G8123456", "Dr Anna Reid", "GP"), new("G8234567", "Dr Samir Shah", "GP"),
        new("N1122334", "Nurse Claire Owen", "Practice nurse"),
    ];

    private static readonly Coding Hypertension = Snomed("38341003", "Hypertensive disorder");
    private static readonly Coding Diabetes = Snomed("44054006", "Diabetes mellitus type 2");
    private static readonly Coding Asthma = Snomed("195967001", "Asthma");
    private static readonly Coding[] OtherChronic =
    [
        Snomed("13645005", "Chronic obstructive lung disease"), Snomed("49436004", "Atrial fibrillation"),
        Snomed("35489007", "Depressive disorder"), Snomed("40930008", "Hypothyroidism"), Snomed("396275006", "Osteoarthritis"),
    ];

    private static readonly Coding[] Acute =
    [
        Snomed("68566005", "Urinary tract infectious disease"), Snomed("36971009", "Sinusitis"),
        Snomed("10509002", "Acute bronchitis"), Snomed("22298006", "Myocardial infarction"),
    ];

    private static readonly Coding BloodPressure = Snomed("75367002", "Blood pressure");
    private static readonly Coding Systolic = Snomed("271649006", "Systolic blood pressure");
    private static readonly Coding Diastolic = Snomed("271650006", "Diastolic blood pressure");
    private static readonly Coding Weight = Snomed("27113001", "Body weight");
    private static readonly Coding HbA1c = Snomed("43396009", "Hemoglobin A1c measurement");
    private static readonly Coding HeartRate = Snomed("364075005", "Heart rate");

    private static readonly (Coding Substance, Coding Reaction)[] Allergies =
    [
        (Snomed("764146007", "Penicillin"), Snomed("271807003", "Eruption of skin")),
        (Snomed("387207008", "Ibuprofen"), Snomed("126485001", "Urticaria")),
        (Snomed("256349002", "Peanut"), Snomed("39579001", "Anaphylaxis")),
    ];

    private static readonly Coding[] Medications =
    [
        Dmd("319283006", "Amlodipine 5mg tablets"), Dmd("325278007", "Metformin 500mg tablets"),
        Dmd("318906001", "Ramipril 5mg capsules"), Dmd("320000009", "Atorvastatin 20mg tablets"),
        Dmd("320176004", "Salbutamol 100micrograms/dose inhaler"),
    ];

    private static readonly Coding CovidVaccine = Snomed("1119349007", "SARS-CoV-2 mRNA vaccine");
    private static readonly Coding FluVaccine = Snomed("1181000221105", "Influenza vaccine");
    private static readonly Coding CardiologyReferral = Snomed("183519002", "Referral to cardiology service");
    private static readonly Coding Referral = Snomed("306206005", "Referral to service");

    // The 999 numbers are grouped by their first eight digits; each group has at least nine valid numbers
    // (see NhsNumberOf). The all-nines group is left out, since 999 999 9999 is one digit repeated.
    private const int NhsNumberGroups = 99_999;
    private const int NhsNumbersPerGroup = 9;

    /// <summary>How many patients of one seed get distinct NHS numbers; later ones reuse numbers of earlier ones.</summary>
    public const int MaxDistinctNhsNumbers = NhsNumberGroups * NhsNumbersPerGroup;

    /// <summary>The appends of patient number <paramref name="index"/>, oldest first; each has its <see cref="SyntheticAppend.CommandId"/>.</summary>
    public IReadOnlyList<SyntheticAppend> Patient(int index)
    {
        // Not HashCode.Combine: its seed differs in every process, and the same patient must come out in each.
        var random = new Random(unchecked(seed * 486_187_739 + index));
        var patient = new PatientBuilder(random, today);
        return patient.Build(NhsNumberOf(index));
    }

    public IEnumerable<SyntheticAppend> Patients(int count) => Enumerable.Range(0, count).SelectMany(Patient);

    /// <summary>
    /// Patient number <paramref name="index"/>'s kind of history, but under the record id <paramref name="patientId"/>
    /// at <paramref name="practiceOds"/>: a record some other service already names (the demo patient's account).
    /// </summary>
    public IReadOnlyList<SyntheticAppend> Patient(int index, Guid patientId, string practiceOds)
    {
        var random = new Random(unchecked(seed * 486_187_739 + index));
        return new PatientBuilder(random, today, patientId, practiceOds).Build(NhsNumberOf(index));
    }

    /// <summary>
    /// A valid NHS number in the never-issued 999 range, different for every index below <see cref="MaxDistinctNhsNumbers"/>.
    /// The index picks a group of eight leading digits (shuffled by the seed) and one of the group's valid last-but-one digits:
    /// that digit weighs 2 in the Modulus 11 sum, so its ten values give ten different remainders and at most one of them
    /// leaves no check digit.
    /// </summary>
    public string NhsNumberOf(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var shift = (seed % NhsNumberGroups + NhsNumberGroups) % NhsNumberGroups;
        // 7919 is prime and does not divide 99 999 (3 x 3 x 41 x 271), so this permutes the groups.
        var group = (int)(((long)(index / NhsNumbersPerGroup % NhsNumberGroups) * 7919 + shift) % NhsNumberGroups);
        var slot = index % NhsNumbersPerGroup;
        for (var digit = 0; ; digit++)
        {
            var body = string.Create(CultureInfo.InvariantCulture, $"999{group:D5}{digit}");
            var sum = 0;
            for (var i = 0; i < 9; i++)
                sum += (body[i] - '0') * (10 - i);
            var check = 11 - sum % 11;
            if (check != 10 && slot-- == 0)
                return body + (check == 11 ? 0 : check).ToString(CultureInfo.InvariantCulture);
        }
    }

    private static Coding Snomed(string code, string display) => new(CodeSystems.Snomed, code, display);

    private static Coding Dmd(string code, string display) => new(CodeSystems.DmD, code, display);

    private sealed class PatientBuilder(Random random, DateOnly today, Guid? givenId = null, string? givenPractice = null)
    {
        private readonly List<SyntheticAppend> _appends = [];
        private Guid _patientId;
        private string _practice = "";

        public IReadOnlyList<SyntheticAppend> Build(string nhsNumber)
        {
            _patientId = NewId();
            _practice = Pick(Practices);
            (_patientId, _practice) = (givenId ?? _patientId, givenPractice ?? _practice);
            var female = random.Next(2) == 0;
            var birth = today.AddDays(-random.Next(18 * 365, 90 * 365));
            var age = today.Year - birth.Year;
            var registered = today.AddDays(-random.Next(365, 12 * 365));
            if (registered < birth.AddYears(16))
                registered = birth.AddYears(16);

            var name = new PersonName(Pick(FamilyNames), [Pick(female ? FemaleNames : MaleNames)], female ? "Ms" : "Mr");
            var address = new PostalAddress([$"{random.Next(1, 200)} {Pick(["Church", "Mill", "Station", "Park"])} Road"], Pick(Towns), "West Yorkshire",
                $"LS{random.Next(1, 29)} {random.Next(1, 9)}{(char)('A' + random.Next(26))}{(char)('A' + random.Next(26))}");
            var demographics = new Demographics(name, birth, female ? "female" : "male", address,
                [new ContactPoint("phone", $"07700 9{random.Next(0, 100000):D5}", "mobile")]);
            Add(Receptionist(registered), new PatientRegistered(_patientId, nhsNumber, demographics, _practice));

            var chronic = new List<Coding>();
            if (age > 40 && random.NextDouble() < 0.35) chronic.Add(Hypertension);
            if (age > 35 && random.NextDouble() < 0.15) chronic.Add(Diabetes);
            if (random.NextDouble() < 0.12) chronic.Add(Asthma);
            if (age > 50 && random.NextDouble() < 0.3) chronic.Add(Pick(OtherChronic));

            var allergyGiven = false;
            var day = registered;
            var consultation = 0;
            while ((day = day.AddDays(random.Next(20, 120))) < today)
            {
                var entries = new List<object>();
                var clinician = Pick(Clinicians);
                var encounterId = NewId();
                var start = new DateTimeOffset(day.ToDateTime(new TimeOnly(8 + random.Next(9), 10 * random.Next(6))), TimeSpan.Zero);

                if (consultation == 1)
                {
                    foreach (var problem in chronic)
                        entries.Add(new ProblemAdded(NewId(), encounterId, problem, day.AddDays(-random.Next(30, 2000)) is var onset && onset > birth ? onset : day, "active", null));
                }

                if (chronic.Contains(Hypertension) || random.NextDouble() < 0.3)
                    entries.Add(BloodPressureReading(encounterId, start, chronic.Contains(Hypertension)));
                if (chronic.Contains(Diabetes) && random.NextDouble() < 0.5)
                    entries.Add(new ObservationRecorded(NewId(), encounterId, HbA1c, start, new Quantity(Round(random.Next(42, 86), 0), "mmol/mol"), []));
                if (random.NextDouble() < 0.4)
                    entries.Add(new ObservationRecorded(NewId(), encounterId, Weight, start, new Quantity(Round(55 + random.NextDouble() * 50, 1), "kg"), []));
                if (random.NextDouble() < 0.2)
                    entries.Add(new ObservationRecorded(NewId(), encounterId, HeartRate, start, new Quantity(random.Next(55, 100), "/min"), []));
                Guid? acute = null;
                if (random.NextDouble() < 0.15)
                {
                    acute = NewId();
                    entries.Add(new ProblemAdded(acute.Value, encounterId, Pick(Acute), day, "active", null));
                }

                if (!allergyGiven && random.NextDouble() < 0.05)
                {
                    var (substance, reaction) = Pick(Allergies);
                    entries.Add(new AllergyRecorded(NewId(), encounterId, substance, reaction, Pick(["mild", "moderate", "severe"]), Pick(["low", "high"]), day));
                    allergyGiven = true;
                }

                if (random.NextDouble() < 0.08)
                    entries.Add(new MedicationRecorded(NewId(), encounterId, Pick(Medications), "One tablet daily", day));
                if (day.Month is 10 or 11 && (age > 64 || chronic.Count > 0) && random.NextDouble() < 0.7)
                    entries.Add(new ImmunisationGiven(NewId(), encounterId, FluVaccine, day, $"FL{random.Next(1000, 9999)}"));
                if (day.Year >= 2021 && random.NextDouble() < 0.04)
                    entries.Add(new ImmunisationGiven(NewId(), encounterId, CovidVaccine, day, $"CV{random.Next(1000, 9999)}"));
                if (random.NextDouble() < 0.04)
                    entries.Add(new ReferralMade(NewId(), encounterId, chronic.Contains(Hypertension) ? CardiologyReferral : Referral, null, Pick(["routine", "urgent"]), "Leeds Teaching Hospitals"));
                entries.Add(new NoteWritten(NewId(), encounterId, Pick(Notes)));

                Add(clinician, entries, encounterId, start);
                if (acute is { } resolvedProblem)
                {
                    var resolved = day.AddDays(random.Next(7, 30));
                    _appends.Add(new SyntheticAppend(_patientId, [new ProblemResolved(resolvedProblem, resolved < today ? resolved : today)], Metadata(clinician, "problem resolved")));
                }

                if (random.NextDouble() < 0.01)
                    _appends.Add(new SyntheticAppend(_patientId, [new EntryMarkedEnteredInError(EntryIdOf(entries[0]), "Recorded against the wrong patient")], Metadata(clinician, "correction")));
                consultation++;
            }

            return _appends.Select(WithCommandId).ToArray();
        }

        // The provenance a command would have left: its id is the causation of every event it appended.
        private SyntheticAppend WithCommandId(SyntheticAppend append, int index)
        {
            var commandId = DerivedIds.Create(_patientId, $"synthetic/{index}");
            return append with
            {
                CommandId = commandId,
                Metadata = append.Metadata with { CausationId = commandId.ToString("D", CultureInfo.InvariantCulture) },
            };
        }

        private static readonly string[] Notes =
        [
            "Reviewed. Plan discussed and agreed with patient.", "Chronic disease review. Stable. Continue current management.",
            "Presents with cough for 5 days, no red flags. Safety-netting advice given.", "Medication review completed.",
            "Telephone consultation. Symptoms improving.",
        ];

        private ObservationRecorded BloodPressureReading(Guid encounterId, DateTimeOffset at, bool hypertensive)
        {
            var systolic = random.Next(hypertensive ? 130 : 105, hypertensive ? 175 : 140);
            var diastolic = random.Next(60, Math.Min(systolic - 25, 105));
            return new ObservationRecorded(NewId(), encounterId, BloodPressure, at, null,
                [new ObservationComponent(Systolic, new Quantity(systolic, "mm[Hg]")), new ObservationComponent(Diastolic, new Quantity(diastolic, "mm[Hg]"))]);
        }

        private void Add(Clinician clinician, List<object> entries, Guid encounterId, DateTimeOffset start)
        {
            if (entries.Count == 0)
                return;
            var consultation = new ConsultationRecorded(encounterId, start, start.AddMinutes(10), clinician, _practice, "face-to-face", null);
            _appends.Add(new SyntheticAppend(_patientId, [consultation, .. entries], Metadata(clinician, "consultation")));
        }

        private void Add(EventMetadata metadata, object @event) => _appends.Add(new SyntheticAppend(_patientId, [@event], metadata));

        private EventMetadata Receptionist(DateOnly day) => new()
        {
            UserId = "R5550001", Role = "Receptionist", OrganisationOds = _practice, ClientId = "chronicle-synthetic",
            Reason = $"registration on {day:yyyy-MM-dd}", CorrelationId = NewId().ToString(),
        };

        private EventMetadata Metadata(Clinician clinician, string reason) => new()
        {
            UserId = clinician.Id, Role = clinician.Role, OrganisationOds = _practice, ClientId = "chronicle-synthetic",
            Reason = reason, CorrelationId = NewId().ToString(),
        };

        private static Guid EntryIdOf(object entry) => (entry as IEntryRecorded)?.EntryId
            ?? throw new ArgumentOutOfRangeException(nameof(entry));

        private Guid NewId()
        {
            Span<byte> bytes = stackalloc byte[16];
            random.NextBytes(bytes);
            bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 layout, deterministic content
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
            return new Guid(bytes);
        }

        private T Pick<T>(T[] items) => items[random.Next(items.Length)];

        private static decimal Round(double value, int digits) => Math.Round((decimal)value, digits);
    }
}
