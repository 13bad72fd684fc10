using Chronicle.Record.Domain;
using Hl7.Fhir.Model;

namespace Chronicle.Record.Fhir.Projection;

/// <summary>
/// Makes a vital-sign Observation conform to FHIR R4's vital signs profiles (http://hl7.org/fhir/R4/vitalsigns.html):
/// the <c>vital-signs</c> category, the LOINC code the profile fixes beside the SNOMED CT code the record holds, and the
/// profile in <c>meta.profile</c>. The events are never rewritten: this runs in the projection, from the SNOMED CT code,
/// so a rebuild serves it for every observation ever recorded.
/// </summary>
/// <remarks>
/// <para>The value is always served exactly as recorded. Every profile allows only some UCUM units (body weight kg, g or
/// [lb_av]; heart rate /min; blood pressure mm[Hg]; ...). An observation recorded in a unit its profile does not allow is
/// not converted (that would change a clinical fact as recorded), and it does not claim to be a vital sign either: it is
/// served as it was before this mapping, with its SNOMED CT code only, no vital-signs category, no LOINC code and no
/// profile. So every observation that claims a profile conforms to it.</para>
/// <para>A blood pressure's systolic and diastolic components are served with their LOINC code alone (see
/// <see cref="Apply"/>); the panel itself keeps its SNOMED CT code beside the LOINC one, as every other vital sign does.</para>
/// <para>Each SNOMED CT code is the observable entity a clinician records (checked against the International Edition);
/// the LOINC code is the one the profile fixes, with its long common name as the display.</para>
/// </remarks>
public static class VitalSigns
{
    public const string CategorySystem = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string CategoryCode = "vital-signs";
    public const string ProfileBase = "http://hl7.org/fhir/StructureDefinition/";

    // The units of http://hl7.org/fhir/ValueSet/ucum-vitals-common, which binds (required) a component's value.
    private static readonly HashSet<string> CommonUnits = new(StringComparer.Ordinal)
    {
        "%", "cm", "[in_i]", "kg", "g", "[lb_av]", "Cel", "[degF]", "mm[Hg]", "/min", "kg/m2", "m2",
    };

    private static readonly string[] Weight = ["kg", "g", "[lb_av]"]; // ValueSet ucum-bodyweight
    private static readonly string[] Length = ["cm", "[in_i]"]; // ValueSet ucum-bodylength
    private static readonly string[] Temperature = ["Cel", "[degF]"]; // ValueSet ucum-bodytemp
    private static readonly string[] PerMinute = ["/min"];

    private static readonly Hl7.Fhir.Model.Coding SystolicLoinc = Loinc("8480-6", "Systolic blood pressure");
    private static readonly Hl7.Fhir.Model.Coding DiastolicLoinc = Loinc("8462-4", "Diastolic blood pressure");

    /// <summary>SNOMED CT observable entity → the profile, its LOINC code(s) and the UCUM unit codes it allows.</summary>
    private static readonly Dictionary<string, VitalSign> BySnomed = new(StringComparer.Ordinal)
    {
        [ConsultationRules.BloodPressure] = new("bp", [Loinc("85354-9", "Blood pressure panel with all children optional")], ["mm[Hg]"]), // 75367002 |Blood pressure|
        ["364075005"] = new("heartrate", [Loinc("8867-4", "Heart rate")], PerMinute), // |Heart rate|
        ["78564009"] = new("heartrate", [Loinc("8867-4", "Heart rate")], PerMinute), // |Pulse rate|: the heart rate counted at a peripheral artery
        ["86290005"] = new("resprate", [Loinc("9279-1", "Respiratory rate")], PerMinute), // |Respiratory rate|
        ["27113001"] = new("bodyweight", [Loinc("29463-7", "Body weight")], Weight), // |Body weight|
        ["1153637007"] = new("bodyheight", [Loinc("8302-2", "Body height")], Length), // |Body height|
        ["50373000"] = new("bodyheight", [Loinc("8302-2", "Body height")], Length), // |Body height measure|, the older concept
        ["60621009"] = new("bmi", [Loinc("39156-5", "Body mass index (BMI) [Ratio]")], ["kg/m2"]), // |Body mass index|
        ["386725007"] = new("bodytemp", [Loinc("8310-5", "Body temperature")], Temperature), // |Body temperature|
        // |Peripheral oxygen saturation| is SpO2, measured by pulse oximetry: the profile's 2708-6 and the more exact 59408-5.
        ["431314004"] = new("oxygensat", [Loinc("2708-6", "Oxygen saturation in Arterial blood"),
            Loinc("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")], ["%"]),
        ["103228002"] = new("oxygensat", [Loinc("2708-6", "Oxygen saturation in Arterial blood")], ["%"]), // |Hemoglobin saturation with oxygen|
    };

    /// <summary>The blood pressure panel's components: SNOMED CT |Systolic blood pressure| and |Diastolic blood pressure|.</summary>
    private static readonly (string Snomed, Hl7.Fhir.Model.Coding Loinc)[] BloodPressureComponents =
        [(ConsultationRules.SystolicBloodPressure, SystolicLoinc), (ConsultationRules.DiastolicBloodPressure, DiastolicLoinc)];

    /// <summary>The profiles this mapping can claim, each as its canonical URL.</summary>
    public static IReadOnlySet<string> Profiles { get; } = BySnomed.Values.Select(v => ProfileBase + v.Profile).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Adds the category, LOINC codes and profile when <paramref name="observation"/> is a vital sign whose recorded units
    /// its profile allows; otherwise leaves it as it is. Idempotent, so a stored version can go through it again (e.g. when
    /// it is marked entered in error) and a version stored before this mapping existed gains it.
    /// </summary>
    public static void Apply(Observation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (Find(observation.Code) is not { } sign || !Conforms(observation, sign))
            return;

        AddCodings(observation.Code, sign.Loinc);
        foreach (var component in observation.Component)
        {
            // The bp profile slices its components by the value of code.coding.code, which Firely's validator (rightly, by
            // FHIRPath equality) compares as a whole collection: a component matches its slice only when its code has the one
            // LOINC coding. So a systolic or diastolic component is served with the LOINC code alone, and the recorded name as
            // its text. Nothing is lost: the record's rules (ConsultationRules) make SNOMED CT 271649006 and 271650006 the
            // codes of those two components, one to one with 8480-6 and 8462-4, and the event keeps them.
            if (ComponentLoinc(component.Code) is { } loinc)
            {
                component.Code = new CodeableConcept
                {
                    Coding = [(Hl7.Fhir.Model.Coding)loinc.DeepCopy()],
                    Text = component.Code.Text ?? component.Code.Coding.FirstOrDefault(c => c.System == CodeSystems.Snomed)?.Display ?? loinc.Display,
                };
            }
        }

        if (!observation.Category.Any(IsVitalSignsCategory))
            observation.Category.Insert(0, new CodeableConcept(CategorySystem, CategoryCode, "Vital Signs"));
        var profile = ProfileBase + sign.Profile;
        observation.Meta ??= new Meta();
        if (!observation.Meta.Profile.Contains(profile, StringComparer.Ordinal))
            observation.Meta.Profile = [.. observation.Meta.Profile, profile];
    }

    private static VitalSign? Find(CodeableConcept? code) =>
        SnomedCode(code) is { } snomed && BySnomed.TryGetValue(snomed, out var sign) ? sign : null;

    private static string? SnomedCode(CodeableConcept? concept) =>
        concept?.Coding.FirstOrDefault(c => c.System == CodeSystems.Snomed && c.Code is not null && BySnomed.ContainsKey(c.Code))?.Code;

    /// <summary>The LOINC code of a blood pressure component, coded with SNOMED CT as recorded or with LOINC as served.</summary>
    private static Hl7.Fhir.Model.Coding? ComponentLoinc(CodeableConcept? concept) =>
        BloodPressureComponents.FirstOrDefault(b => concept?.Coding.Any(c =>
            (c.System == CodeSystems.Snomed && c.Code == b.Snomed) || (c.System == FhirSystems.Loinc && c.Code == b.Loinc.Code)) == true).Loinc;

    /// <summary>Whether serving the observation as recorded meets the profile: its units, and for a blood pressure its two components.</summary>
    private static bool Conforms(Observation observation, VitalSign sign)
    {
        if (observation.Component.Any(c => c.Value is not Hl7.Fhir.Model.Quantity { Value: not null } q || !IsUcum(q, CommonUnits)))
            return false;
        if (sign.Profile == "bp")
        {
            bool OneInUnits(Hl7.Fhir.Model.Coding loinc) =>
                observation.Component.Where(c => ComponentLoinc(c.Code) == loinc).ToList() is [{ Value: Hl7.Fhir.Model.Quantity q }] && IsUcum(q, sign.Units);
            return observation.Value is null && OneInUnits(SystolicLoinc) && OneInUnits(DiastolicLoinc);
        }

        return observation.Component.Count == 0 && observation.Value is Hl7.Fhir.Model.Quantity { Value: not null } value && IsUcum(value, sign.Units);
    }

    private static bool IsUcum(Hl7.Fhir.Model.Quantity quantity, IEnumerable<string> units) =>
        quantity.System == CodeSystems.Ucum && quantity.Code is { } code && units.Contains(code, StringComparer.Ordinal)
        && !string.IsNullOrEmpty(quantity.Unit);

    private static void AddCodings(CodeableConcept concept, IEnumerable<Hl7.Fhir.Model.Coding> codings)
    {
        foreach (var coding in codings)
        {
            if (!concept.Coding.Any(c => c.System == coding.System && c.Code == coding.Code))
                concept.Coding.Add((Hl7.Fhir.Model.Coding)coding.DeepCopy());
        }
    }

    private static bool IsVitalSignsCategory(CodeableConcept category) =>
        category.Coding.Any(c => c.System == CategorySystem && c.Code == CategoryCode);

    private static Hl7.Fhir.Model.Coding Loinc(string code, string display) => new(FhirSystems.Loinc, code, display);

    /// <param name="Profile">The last segment of the profile's canonical URL under <see cref="ProfileBase"/>.</param>
    /// <param name="Units">The UCUM codes the profile allows for the value (for a blood pressure, for each of its two components).</param>
    private sealed record VitalSign(string Profile, Hl7.Fhir.Model.Coding[] Loinc, string[] Units);
}
