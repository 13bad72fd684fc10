using System.Xml.Linq;
using Chronicle.EventStore;
using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Projection;
using Chronicle.Record.Synthetic;
using Hl7.Fhir.Model;
using static Chronicle.Record.Domain.RecordEventsV1;
using Coding = Chronicle.Record.Domain.Coding;
using Quantity = Chronicle.Record.Domain.Quantity;

namespace Chronicle.Fhir.Tests;

/// <summary>Every resource the Record serves carries a short generated narrative, valid XHTML by FHIR's rules, with every value escaped.</summary>
public sealed class NarrativeTests
{
    private const string Div = "<div xmlns=\"http://www.w3.org/1999/xhtml\">";
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    private static readonly Coding Appendicectomy = new(CodeSystems.Snomed, "80146002", "Appendicectomy");
    private static readonly Coding Diabetes = new(CodeSystems.Snomed, "44054006", "Diabetes mellitus type 2");

    private readonly RecordScenario _record = new();
    private readonly Guid _encounter = Guid.NewGuid();
    private readonly Guid _entry = Guid.NewGuid();

    private RecordScenario Registered() => _record.Given(SampleEvents.Registered(_record.PatientId), SampleEvents.Consultation(_encounter));

    [Fact]
    public void GivenBloodPressure_WhenBuilt_ThenItsNarrativeReadsAsAClinicianWritesIt()
    {
        Registered().Given(new ObservationRecorded(_entry, _encounter, SampleEvents.BloodPressure, new DateTimeOffset(2025, 6, 2, 9, 30, 0, TimeSpan.Zero), null,
        [
            new ObservationComponent(new Coding(CodeSystems.Snomed, ConsultationRules.SystolicBloodPressure), new Quantity(142, "mm[Hg]")),
            new ObservationComponent(new Coding(CodeSystems.Snomed, ConsultationRules.DiastolicBloodPressure), new Quantity(91, "mm[Hg]")),
        ]));

        var text = _record.Current<Observation>(_entry).Text;
        Assert.Equal(Narrative.NarrativeStatus.Generated, text.Status);
        Assert.Equal(Div + "<p><b>Blood pressure 142/91 mm[Hg], 2 Jun 2025 09:30 UTC</b></p><p>Status: final</p></div>", text.Div);
    }

    [Fact]
    public void GivenEachKindOfResource_WhenBuilt_ThenEachNarrativeSaysWhatItIs()
    {
        Registered().Given(
            new ObservationRecorded(_entry, _encounter, SampleEvents.Weight, RecordScenario.Start, new Quantity(72.5m, "kg"), []),
            new ProblemAdded(Guid.NewGuid(), _encounter, SampleEvents.Hypertension, new DateOnly(2020, 5, 1), "active", null),
            new AllergyRecorded(Guid.NewGuid(), _encounter, SampleEvents.Penicillin, SampleEvents.Rash, "moderate", "high", null),
            new MedicationRecorded(Guid.NewGuid(), _encounter, SampleEvents.Amlodipine, "One tablet daily", new DateOnly(2023, 6, 1)),
            new ImmunisationGiven(Guid.NewGuid(), _encounter, SampleEvents.FluVaccine, new DateOnly(2023, 10, 5), "LOT42"),
            new ReferralMade(Guid.NewGuid(), _encounter, SampleEvents.Cardiology, SampleEvents.Hypertension, "urgent", "Leeds General Infirmary"),
            new NoteWritten(Guid.NewGuid(), _encounter, "BP high; recheck in two weeks."),
            new FamilyHistoryRecorded(Guid.NewGuid(), _encounter, "MTH", Diabetes, 52, null),
            new ProcedureRecorded(Guid.NewGuid(), _encounter, Appendicectomy, new DateOnly(1990, 7, 14), null));

        var headlines = _record.Fold.Current.Select(r => (DomainResource)r.Parse())
            .Where(r => r is not Provenance)
            .ToDictionary(r => r.TypeName, r => XElement.Parse(r.Text.Div).Element(Xhtml + "p")!.Value);
        Assert.Equal(new Dictionary<string, string>
        {
            ["Patient"] = "Mrs Olivia Grace Smith",
            ["Encounter"] = "Consultation (face-to-face), 1 Mar 2024 09:00 UTC to 1 Mar 2024 09:10 UTC",
            ["Observation"] = "Body weight 72.5 kg, 1 Mar 2024 09:00 UTC",
            ["Condition"] = "Problem: Hypertensive disorder",
            ["AllergyIntolerance"] = "Allergy: Penicillin",
            ["MedicationStatement"] = "Medication: Amlodipine 5mg tablets",
            ["Immunization"] = "Immunisation: Influenza vaccine, 5 Oct 2023",
            ["ServiceRequest"] = "Referral: Referral to cardiology service (urgent)",
            ["DocumentReference"] = "Progress note, 1 Mar 2024 09:08 UTC",
            ["FamilyMemberHistory"] = "Family history: mother, Diabetes mellitus type 2, from age 52",
            ["Procedure"] = "Procedure: Appendicectomy",
        }, headlines);

        var patient = _record.Current<Patient>(_record.PatientId).Text.Div;
        Assert.Equal(Div + "<p><b>Mrs Olivia Grace Smith</b></p><p>NHS number: 999 000 1234</p><p>Born: 12 Apr 1956</p><p>Gender: female</p>" +
            "<p>Address: 1 Park Row, Leeds, LS1 5AB</p><p>Registered GP practice: ODS A81001</p></div>", patient);
        Assert.Equal(Div + "<p><b>Create Procedure/" + _record.Fold.Current.Single(r => r.Type == "Procedure").Id + "/_history/1, 1 Mar 2024 09:10 UTC</b></p>" +
            "<p>By: G8123456 (GP)</p><p>On behalf of: Organization A81001</p><p>Via: gp-desktop</p><p>Reason: Consultation</p></div>", _record.LastProvenance.Text.Div);
    }

    [Fact]
    public void GivenFreeTextWithMarkup_WhenBuilt_ThenTheNarrativeShowsItEscapedAndHoldsNoScript()
    {
        const string Markup = "<script>alert('x')</script> <b onclick=\"steal()\">bold</b> & done";
        var procedure = Guid.NewGuid();
        var history = Guid.NewGuid();
        Registered().Given(
            new NoteWritten(_entry, _encounter, Markup + "\r\nsecond line"),
            new ProcedureRecorded(procedure, _encounter, Appendicectomy, null, Markup),
            new FamilyHistoryRecorded(history, _encounter, "FTH", Diabetes, null, Markup));

        foreach (var resource in new DomainResource[] { _record.Current<DocumentReference>(_entry), _record.Current<Procedure>(procedure), _record.Current<FamilyMemberHistory>(history) })
        {
            var div = resource.Text.Div;
            Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &lt;b onclick=&quot;steal()&quot;&gt;bold&lt;/b&gt; &amp; done", div, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", div, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("onclick=\"", div, StringComparison.Ordinal);
            var elements = XElement.Parse(div).DescendantsAndSelf().ToList();
            Assert.All(elements, e => Assert.Contains(e.Name.LocalName, new[] { "div", "p", "b", "br" }));
            Assert.All(elements.Skip(1), e => Assert.Empty(e.Attributes()));
            Assert.Contains(Markup, XElement.Parse(div).Value, StringComparison.Ordinal);
            ProfileValidator.AssertValid(resource);
        }

        Assert.EndsWith("&amp; done<br/>second line</p></div>", _record.Current<DocumentReference>(_entry).Text.Div, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenEntryMarkedEnteredInError_WhenBuilt_ThenTheNewVersionsNarrativeSaysSo()
    {
        Registered().Given(
            new ProblemAdded(_entry, _encounter, SampleEvents.Hypertension, new DateOnly(2020, 5, 1), "active", null),
            new EntryMarkedEnteredInError(_entry, "Wrong patient"));

        var div = _record.Current<Condition>(_entry).Text.Div;
        Assert.StartsWith(Div + "<p><b>Entered in error: Problem: Hypertensive disorder</b></p><p>Status: Entered in error</p>", div, StringComparison.Ordinal);
        Assert.Contains("<p><b>Nullify Condition/", _record.LastProvenance.Text.Div, StringComparison.Ordinal);
        Assert.Contains("<p>Reason: Consultation; Wrong patient</p>", _record.LastProvenance.Text.Div, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenTheSameEvents_WhenBuiltTwice_ThenEveryNarrativeIsByteIdentical()
    {
        var synthetic = new SyntheticRecords(seed: 3, today: new DateOnly(2025, 1, 1));
        var first = Fold(synthetic.Patient(0));
        var second = Fold(new SyntheticRecords(seed: 3, today: new DateOnly(2025, 1, 1)).Patient(0));

        // The Provenances' ids are the events' (fresh in each scenario), so compare the clinical resources, whose ids are the entries'.
        Assert.Equal(first, second);
        Assert.True(first.Count > 10, $"Only {first.Count} resources.");

        static List<string> Fold(IReadOnlyList<SyntheticAppend> appends)
        {
            var record = new RecordScenario(appends[0].PatientId);
            foreach (var append in appends)
                record.GivenBy(append.Metadata, [.. append.Events]);
            return record.Fold.Versions.Where(v => v.Type != "Provenance").Select(v => ((DomainResource)v.Parse()).Text.Div).ToList();
        }
    }

    [Fact]
    public void GivenSyntheticRecordsWithEveryEntryThenMarkedEnteredInError_WhenBuilt_ThenEveryVersionHasAValidGeneratedNarrative()
    {
        var synthetic = new SyntheticRecords(seed: 5, today: new DateOnly(2025, 1, 1));
        var types = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 2; i++)
        {
            var appends = synthetic.Patient(i);
            var record = new RecordScenario(appends[0].PatientId);
            foreach (var append in appends)
                record.GivenBy(append.Metadata, [.. append.Events]);
            var encounter = Guid.Parse(record.Fold.Current.First(r => r.Type == "Encounter").Id);
            record.Given(
                new FamilyHistoryRecorded(Guid.NewGuid(), encounter, "SIS", Diabetes, 40, "Diet controlled"),
                new ProcedureRecorded(Guid.NewGuid(), encounter, Appendicectomy, new DateOnly(2001, 2, 3), "Uncomplicated"));
            foreach (var id in record.Fold.Current.Where(r => r.Type is not "Patient" and not "Provenance").Select(r => Guid.Parse(r.Id)).ToList())
                record.GivenBy(EventMetadata.Empty, new EntryMarkedEnteredInError(id, "audit test"));

            foreach (var resource in record.Fold.Versions.Select(v => (DomainResource)v.Parse()))
            {
                Assert.Equal(Narrative.NarrativeStatus.Generated, resource.Text?.Status);
                Assert.StartsWith(Div + "<p><b>", resource.Text.Div, StringComparison.Ordinal);
                ProfileValidator.AssertValid(resource);
                types.Add(resource.TypeName);
            }
        }

        Assert.Equal(["AllergyIntolerance", "Condition", "DocumentReference", "Encounter", "FamilyMemberHistory", "Immunization",
            "MedicationStatement", "Observation", "Patient", "Procedure", "Provenance", "ServiceRequest"], types.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("a < b & c > d", "a &lt; b &amp; c &gt; d")]
    [InlineData("\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;")]
    [InlineData("one\r\ntwo\nthree\rfour", "one<br/>two<br/>three<br/>four")]
    [InlineData("bell\u0007 tab\t", "bell\uFFFD tab ")]
    [InlineData("café", "café")]
    public void GivenText_WhenEscaped_ThenItIsXhtmlCharacterData(string text, string escaped) =>
        Assert.Equal(escaped, FhirNarrative.Escape(text));

    [Fact]
    public void GivenTextWithALoneSurrogate_WhenEscaped_ThenItIsReplacedAndPairsAreKept() =>
        Assert.Equal("lone \uFFFD surrogate, pair \uD83D\uDE00", FhirNarrative.Escape("lone \uD800 surrogate, pair \uD83D\uDE00"));

    [Fact]
    public void GivenLongNote_WhenBuilt_ThenTheNarrativeShowsItsStartWithAnEllipsis()
    {
        Registered().Given(new NoteWritten(_entry, _encounter, new string('x', FhirNarrative.MaxTextLength + 50)));

        var paragraph = XElement.Parse(_record.Current<DocumentReference>(_entry).Text.Div).Elements(Xhtml + "p").ElementAt(1).Value;
        Assert.Equal(new string('x', FhirNarrative.MaxTextLength) + "…", paragraph);
    }
}
