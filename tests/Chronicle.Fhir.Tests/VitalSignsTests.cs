using System.Text;
using Chronicle.EventStore;
using Chronicle.Record.Application;
using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Projection;
using Chronicle.Record.Synthetic;
using Hl7.Fhir.Model;
using static Chronicle.Record.Domain.RecordEventsV1;
using Coding = Chronicle.Record.Domain.Coding;
using Quantity = Chronicle.Record.Domain.Quantity;

namespace Chronicle.Fhir.Tests;

/// <summary>
/// Vital-sign Observations as R4's vital signs profiles (http://hl7.org/fhir/R4/vitalsigns.html) require them, checked
/// with Firely's profile validator: 0 errors.
/// </summary>
public sealed class VitalSignsTests
{
    private const string Profile = "http://hl7.org/fhir/StructureDefinition/";
    private readonly RecordScenario _record = new();
    private readonly Guid _encounter = Guid.NewGuid();
    private readonly Guid _entry = Guid.NewGuid();

    private RecordScenario Registered() => _record.Given(SampleEvents.Registered(_record.PatientId), SampleEvents.Consultation(_encounter));

    public static TheoryData<string, string, decimal, string, string, string[]> AllowedUnits => new()
    {
        { "27113001", "Body weight", 72.5m, "kg", "bodyweight", ["29463-7"] },
        { "27113001", "Body weight", 3250m, "g", "bodyweight", ["29463-7"] },
        { "27113001", "Body weight", 160m, "[lb_av]", "bodyweight", ["29463-7"] },
        { "364075005", "Heart rate", 72m, "/min", "heartrate", ["8867-4"] },
        { "78564009", "Pulse rate", 64m, "/min", "heartrate", ["8867-4"] },
        { "86290005", "Respiratory rate", 16m, "/min", "resprate", ["9279-1"] },
        { "1153637007", "Body height", 172.4m, "cm", "bodyheight", ["8302-2"] },
        { "50373000", "Body height measure", 68m, "[in_i]", "bodyheight", ["8302-2"] },
        { "60621009", "Body mass index", 24.3m, "kg/m2", "bmi", ["39156-5"] },
        { "386725007", "Body temperature", 37.2m, "Cel", "bodytemp", ["8310-5"] },
        { "386725007", "Body temperature", 98.6m, "[degF]", "bodytemp", ["8310-5"] },
        { "431314004", "Peripheral oxygen saturation", 97m, "%", "oxygensat", ["2708-6", "59408-5"] },
        { "103228002", "Hemoglobin saturation with oxygen", 95m, "%", "oxygensat", ["2708-6"] },
    };

    [Theory]
    [MemberData(nameof(AllowedUnits))]
    public void GivenVitalSignInAUnitItsProfileAllows_WhenBuilt_ThenItCarriesTheCategoryLoincAndProfileAndValidates(
        string snomed, string display, decimal value, string unit, string profile, string[] loinc)
    {
        Registered().Given(new ObservationRecorded(_entry, _encounter, new Coding(CodeSystems.Snomed, snomed, display), RecordScenario.Start,
            new Quantity(value, unit), []));

        var observation = _record.Current<Observation>(_entry);
        Assert.Equal([(CodeSystems.Snomed, snomed), .. loinc.Select(l => ("http://loinc.org", l))],
            observation.Code.Coding.Select(c => (c.System, c.Code)));
        var category = Assert.Single(observation.Category);
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs"), (category.Coding.Single().System, category.Coding.Single().Code));
        Assert.Equal([Profile + profile], observation.Meta.Profile);
        var quantity = Assert.IsType<Hl7.Fhir.Model.Quantity>(observation.Value);
        Assert.Equal((value, unit, "http://unitsofmeasure.org", unit), (quantity.Value, quantity.Unit, quantity.System, quantity.Code));
        ProfileValidator.AssertValid(observation);
    }

    [Fact]
    public void GivenBloodPressure_WhenBuilt_ThenThePanelAndBothComponentsCarryLoincAndConformToTheBpProfile()
    {
        Registered().Given(BloodPressure(_entry, 142, 91));

        var observation = _record.Current<Observation>(_entry);
        Assert.Equal(["75367002", "85354-9"], observation.Code.Coding.Select(c => c.Code));
        Assert.Equal([("8480-6", "Systolic blood pressure"), ("8462-4", "Diastolic blood pressure")],
            observation.Component.Select(c => (c.Code.Coding.Single().Code, c.Code.Text)));
        Assert.Equal([Profile + "bp"], observation.Meta.Profile);
        Assert.Null(observation.Value);
        ProfileValidator.AssertValid(observation);
        Assert.Empty(ProfileValidator.Errors(observation, Profile + "vitalsigns"));
    }

    public static TheoryData<string, string, Quantity> DisallowedUnits => new()
    {
        { "27113001", "Body weight", new Quantity(11.5m, "[st_av]") },
        { "1153637007", "Body height", new Quantity(1.72m, "m") },
        { "386725007", "Body temperature", new Quantity(310.3m, "K") },
        { "364075005", "Heart rate", new Quantity(72m, "{beats}/min") },
        { "431314004", "Peripheral oxygen saturation", new Quantity(0.97m, "1") },
    };

    [Theory]
    [MemberData(nameof(DisallowedUnits))]
    public void GivenVitalSignInAUnitItsProfileDoesNotAllow_WhenBuilt_ThenServedAsRecordedWithoutClaimingToBeAVitalSign(
        string snomed, string display, Quantity recorded)
    {
        Registered().Given(new ObservationRecorded(_entry, _encounter, new Coding(CodeSystems.Snomed, snomed, display), RecordScenario.Start, recorded, []));

        var observation = _record.Current<Observation>(_entry);
        Assert.Equal(snomed, observation.Code.Coding.Single().Code);
        Assert.Empty(observation.Category);
        Assert.Empty(observation.Meta.Profile);
        var quantity = Assert.IsType<Hl7.Fhir.Model.Quantity>(observation.Value);
        Assert.Equal((recorded.Value, recorded.Unit), (quantity.Value, quantity.Code));
        ProfileValidator.AssertValid(observation);
    }

    [Fact]
    public void GivenBloodPressureWithAComponentInAnotherUnit_WhenBuilt_ThenNoProfileIsClaimed()
    {
        Registered().Given(new ObservationRecorded(_entry, _encounter, SampleEvents.BloodPressure, RecordScenario.Start, null,
        [
            new ObservationComponent(new Coding(CodeSystems.Snomed, ConsultationRules.SystolicBloodPressure), new Quantity(18.9m, "kPa")),
            new ObservationComponent(new Coding(CodeSystems.Snomed, ConsultationRules.DiastolicBloodPressure), new Quantity(12.1m, "kPa")),
        ]));

        var observation = _record.Current<Observation>(_entry);
        Assert.Empty(observation.Meta.Profile);
        Assert.Empty(observation.Category);
        Assert.All(observation.Component, c => Assert.Equal("kPa", ((Hl7.Fhir.Model.Quantity)c.Value).Code));
    }

    [Fact]
    public void GivenObservationThatIsNoVitalSign_WhenBuilt_ThenItHasNoCategoryOrProfile()
    {
        Registered().Given(new ObservationRecorded(_entry, _encounter, new Coding(CodeSystems.Snomed, "43396009", "Hemoglobin A1c measurement"),
            RecordScenario.Start, new Quantity(48, "mmol/mol"), []));

        var observation = _record.Current<Observation>(_entry);
        Assert.Single(observation.Code.Coding);
        Assert.Empty(observation.Category);
        Assert.Empty(observation.Meta.Profile);
    }

    [Fact]
    public void GivenVitalSign_WhenMarkedEnteredInError_ThenVersion2KeepsItsProfileAndStillConforms()
    {
        Registered().Given(BloodPressure(_entry, 142, 91), new EntryMarkedEnteredInError(_entry, "Wrong patient"));

        var observation = _record.Current<Observation>(_entry);
        Assert.Equal(ObservationStatus.EnteredInError, observation.Status);
        Assert.Equal("2", observation.Meta.VersionId);
        Assert.Equal([Profile + "bp"], observation.Meta.Profile);
        Assert.Equal(["75367002", "85354-9"], observation.Code.Coding.Select(c => c.Code));
        Assert.Single(observation.Category);
        ProfileValidator.AssertValid(observation);
    }

    [Fact]
    public void GivenObservationVersionStoredBeforeTheMapping_WhenMarkedEnteredInError_ThenTheNewVersionGainsIt()
    {
        Registered().Given(BloodPressure(_entry, 142, 91));
        var old = _record.Current<Observation>(_entry);
        old.Category.Clear();
        old.Meta.Profile = [];
        old.Code.Coding.RemoveAll(c => c.System == "http://loinc.org");
        old.Component[0].Code = new CodeableConcept(CodeSystems.Snomed, ConsultationRules.SystolicBloodPressure);
        old.Component[1].Code = new CodeableConcept(CodeSystems.Snomed, ConsultationRules.DiastolicBloodPressure);

        var change = RecordEvent.TryDecode(_record.Record(new EntryMarkedEnteredInError(_entry, "Wrong patient")))!;
        var observation = (Observation)PatientRecordFhirBuilder.Build(change, old)[0].Resource;

        Assert.Equal("2", observation.Meta.VersionId);
        Assert.Equal([Profile + "bp"], observation.Meta.Profile);
        Assert.Equal(["75367002", "85354-9"], observation.Code.Coding.Select(c => c.Code));
        Assert.Equal(["8480-6", "8462-4"], observation.Component.Select(c => c.Code.Coding.Single().Code));
        ProfileValidator.AssertValid(observation);
    }

    /// <summary>The event exactly as the store holds it today (V1.ObservationRecorded's JSON), never rewritten.</summary>
    [Fact]
    public void GivenObservationEventAsStoredToday_WhenFolded_ThenTheObservationIsProfiled()
    {
        Registered();
        var json = $$"""
            {"entryId":"{{_entry:D}}","encounterId":"{{_encounter:D}}","code":{"system":"http://snomed.info/sct","code":"27113001","display":"Body weight"},"effective":"2024-03-01T09:00:00+00:00","value":{"value":81.4,"unit":"kg"},"components":[]}
            """;
        var recorded = _record.Record(new ObservationRecorded(Guid.Empty, Guid.Empty, SampleEvents.Weight, RecordScenario.Start, null, []))
            with { Data = Encoding.UTF8.GetBytes(json) };
        _record.Fold.Apply(recorded);

        var observation = _record.Current<Observation>(_entry);
        Assert.Equal(["27113001", "29463-7"], observation.Code.Coding.Select(c => c.Code));
        Assert.Equal([Profile + "bodyweight"], observation.Meta.Profile);
        Assert.Equal(81.4m, ((Hl7.Fhir.Model.Quantity)observation.Value).Value);
        ProfileValidator.AssertValid(observation);
    }

    [Fact]
    public void GivenSyntheticRecordsThenEntriesMarkedEnteredInError_WhenBuilt_ThenEveryVitalSignVersionConformsToItsProfile()
    {
        var synthetic = new SyntheticRecords(seed: 7, today: new DateOnly(2025, 1, 1));
        var profiles = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < 5; i++)
        {
            var appends = synthetic.Patient(i);
            var record = new RecordScenario(appends[0].PatientId);
            foreach (var append in appends)
                record.GivenBy(append.Metadata, [.. append.Events]);
            foreach (var id in record.Fold.Current.Where(r => r.Type == "Observation").Select(r => Guid.Parse(r.Id)).ToList())
                record.GivenBy(EventMetadata.Empty, new EntryMarkedEnteredInError(id, "audit test"));

            foreach (var observation in record.Fold.Versions.Where(v => v.Type == "Observation").Select(v => (Observation)v.Parse()))
            {
                var snomed = observation.Code.Coding[0].Code;
                if (snomed == "43396009") // HbA1c: a laboratory result, not a vital sign
                {
                    Assert.Empty(observation.Meta.Profile);
                    continue;
                }

                var profile = Assert.Single(observation.Meta.Profile);
                profiles[profile] = profiles.GetValueOrDefault(profile) + 1;
                ProfileValidator.AssertValid(observation);
            }
        }

        Assert.Equal([Profile + "bodyweight", Profile + "bp", Profile + "heartrate"], profiles.Keys.Order(StringComparer.Ordinal));
    }

    private ObservationRecorded BloodPressure(Guid entry, decimal systolic, decimal diastolic) =>
        new(entry, _encounter, SampleEvents.BloodPressure, RecordScenario.Start, null,
        [
            new ObservationComponent(new Coding(CodeSystems.Snomed, ConsultationRules.SystolicBloodPressure, "Systolic blood pressure"), new Quantity(systolic, "mm[Hg]")),
            new ObservationComponent(new Coding(CodeSystems.Snomed, ConsultationRules.DiastolicBloodPressure, "Diastolic blood pressure"), new Quantity(diastolic, "mm[Hg]")),
        ]);
}
