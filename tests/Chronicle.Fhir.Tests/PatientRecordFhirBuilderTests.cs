using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Projection;
using Hl7.Fhir.Model;
using static Chronicle.Record.Domain.RecordEventsV1;
using Coding = Chronicle.Record.Domain.Coding;
using Quantity = Chronicle.Record.Domain.Quantity;
using Chronicle.Record.Application;

namespace Chronicle.Fhir.Tests;

public sealed class PatientRecordFhirBuilderTests
{
    private readonly RecordScenario _record = new();
    private readonly Guid _encounter = Guid.NewGuid();
    private readonly Guid _entry = Guid.NewGuid();

    private RecordScenario Registered() => _record.Given(
        SampleEvents.Registered(_record.PatientId),
        SampleEvents.Consultation(_encounter));

    [Fact]
    public void GivenPatientRegistered_WhenBuilt_ThenPatientCarriesNhsNumberDemographicsAndPractice()
    {
        _record.Given(SampleEvents.Registered(_record.PatientId));

        var patient = _record.Current<Patient>(_record.PatientId);
        Assert.Equal(_record.PatientFhirId, patient.Id);
        Assert.Equal("1", patient.Meta.VersionId);
        Assert.Equal(RecordScenario.Start, patient.Meta.LastUpdated);
        var nhs = Assert.Single(patient.Identifier);
        Assert.Equal(("https://fhir.nhs.uk/Id/nhs-number", "9990001234"), (nhs.System, nhs.Value));
        var name = Assert.Single(patient.Name);
        Assert.Equal(("Smith", "Mrs"), (name.Family, name.Prefix.Single()));
        Assert.Equal(["Olivia", "Grace"], name.Given);
        Assert.Equal("1956-04-12", patient.BirthDate);
        Assert.Equal(AdministrativeGender.Female, patient.Gender);
        Assert.Equal("LS1 5AB", patient.Address.Single().PostalCode);
        Assert.Equal([Hl7.Fhir.Model.ContactPoint.ContactPointSystem.Phone, Hl7.Fhir.Model.ContactPoint.ContactPointSystem.Email], patient.Telecom.Select(t => t.System!.Value));
        var gp = Assert.Single(patient.GeneralPractitioner);
        Assert.Equal(("Organization", "https://fhir.nhs.uk/Id/ods-organization-code", "A81001"), (gp.Type, gp.Identifier.System, gp.Identifier.Value));
    }

    [Fact]
    public void GivenDemographicsUpdated_WhenBuilt_ThenPatientVersion2KeepsIdentityWithNewDemographics()
    {
        _record.Given(
            SampleEvents.Registered(_record.PatientId),
            new DemographicsUpdated(_record.PatientId, SampleEvents.Demographics(family: "Okafor")));

        var patient = _record.Current<Patient>(_record.PatientId);
        Assert.Equal("2", patient.Meta.VersionId);
        Assert.Equal(RecordScenario.Start.AddMinutes(1), patient.Meta.LastUpdated);
        Assert.Equal("Okafor", patient.Name.Single().Family);
        Assert.Equal("9990001234", patient.Identifier.Single().Value);
        Assert.Equal("A81001", patient.GeneralPractitioner.Single().Identifier.Value);
        Assert.Equal(["1", "2"], _record.Fold.Versions.Where(v => v.Type == "Patient").Select(v => v.VersionId.ToString()));
    }

    [Fact]
    public void GivenConsultationRecorded_WhenBuilt_ThenEncounterWithClassPeriodClinicianAndPractice()
    {
        Registered();
        var encounter = _record.Current<Encounter>(_encounter);
        Assert.Equal(Encounter.EncounterStatus.Finished, encounter.Status);
        Assert.Equal("AMB", encounter.Class.Code);
        Assert.Equal($"Patient/{_record.PatientFhirId}", encounter.Subject.Reference);
        Assert.Equal("2024-03-01T09:00:00Z", encounter.Period.Start);
        Assert.Equal("2024-03-01T09:10:00Z", encounter.Period.End);
        Assert.Equal("Dr Anna Reid", encounter.Participant.Single().Individual.Display);
        Assert.Equal("A81001", encounter.ServiceProvider.Identifier.Value);
        Assert.Equal("38341003", encounter.ReasonCode.Single().Coding.Single().Code);
    }

    [Theory]
    [InlineData("telephone", "VR")]
    [InlineData("video", "VR")]
    [InlineData("home visit", "HH")]
    [InlineData("face-to-face", "AMB")]
    public void GivenConsultationMode_WhenBuilt_ThenEncounterClassFollowsIt(string mode, string expectedClass)
    {
        _record.Given(SampleEvents.Registered(_record.PatientId), SampleEvents.Consultation(_encounter, mode));
        Assert.Equal(expectedClass, _record.Current<Encounter>(_encounter).Class.Code);
    }

    [Fact]
    public void GivenProblemAdded_WhenBuilt_ThenConditionIsActiveConfirmedProblemListItem()
    {
        Registered().Given(new ProblemAdded(_entry, _encounter, SampleEvents.Hypertension, new DateOnly(2020, 5, 1), "active", null));

        var condition = _record.Current<Condition>(_entry);
        Assert.Equal("active", condition.ClinicalStatus.Coding.Single().Code);
        Assert.Equal("confirmed", condition.VerificationStatus.Coding.Single().Code);
        Assert.Equal("problem-list-item", condition.Category.Single().Coding.Single().Code);
        Assert.Equal(("http://snomed.info/sct", "38341003"), (condition.Code.Coding[0].System, condition.Code.Coding[0].Code));
        Assert.Equal("2020-05-01", ((FhirDateTime)condition.Onset).Value);
        Assert.Null(condition.Abatement);
        Assert.Equal($"Encounter/{_encounter:D}", condition.Encounter.Reference);
    }

    [Fact]
    public void GivenProblemResolved_WhenBuilt_ThenConditionVersion2IsResolvedWithAbatement()
    {
        Registered().Given(
            new ProblemAdded(_entry, _encounter, SampleEvents.Hypertension, null, "active", null),
            new ProblemResolved(_entry, new DateOnly(2024, 2, 1)));

        var condition = _record.Current<Condition>(_entry);
        Assert.Equal("2", condition.Meta.VersionId);
        Assert.Equal("resolved", condition.ClinicalStatus.Coding.Single().Code);
        Assert.Equal("2024-02-01", ((FhirDateTime)condition.Abatement).Value);
        var provenance = _record.LastProvenance;
        Assert.Equal($"Condition/{_entry:D}/_history/2", provenance.Target.Single().Reference);
        Assert.Equal("UPDATE", provenance.Activity.Coding.Single().Code);
    }

    [Fact]
    public void GivenObservationWithValue_WhenBuilt_ThenUcumQuantity()
    {
        Registered().Given(new ObservationRecorded(_entry, _encounter, SampleEvents.Weight, RecordScenario.Start, new Quantity(72.5m, "kg"), []));

        var observation = _record.Current<Observation>(_entry);
        Assert.Equal(ObservationStatus.Final, observation.Status);
        var value = Assert.IsType<Hl7.Fhir.Model.Quantity>(observation.Value);
        Assert.Equal((72.5m, "kg", "http://unitsofmeasure.org", "kg"), (value.Value!.Value, value.Unit, value.System, value.Code));
        Assert.Empty(observation.Component);
    }

    [Fact]
    public void GivenBloodPressure_WhenBuilt_ThenSystolicAndDiastolicComponentsWithoutTopLevelValue()
    {
        Registered().Given(new ObservationRecorded(_entry, _encounter, SampleEvents.BloodPressure, RecordScenario.Start, null,
        [
            new ObservationComponent(new Coding(CodeSystems.Snomed, "271649006"), new Quantity(142, "mm[Hg]")),
            new ObservationComponent(new Coding(CodeSystems.Snomed, "271650006"), new Quantity(88, "mm[Hg]")),
        ]));

        var observation = _record.Current<Observation>(_entry);
        Assert.Null(observation.Value);
        // Served with the LOINC codes the vital signs profile slices them by (VitalSignsTests).
        Assert.Equal(["8480-6", "8462-4"], observation.Component.Select(c => c.Code.Coding.Single().Code));
        Assert.Equal([142m, 88m], observation.Component.Select(c => ((Hl7.Fhir.Model.Quantity)c.Value).Value!.Value));
        Assert.All(observation.Component, c => Assert.Equal("mm[Hg]", ((Hl7.Fhir.Model.Quantity)c.Value).Code));
    }

    [Fact]
    public void GivenAllergyRecorded_WhenBuilt_ThenSubstanceReactionSeverityAndCriticality()
    {
        Registered().Given(new AllergyRecorded(_entry, _encounter, SampleEvents.Penicillin, SampleEvents.Rash, "moderate", "high", new DateOnly(2001, 1, 1)));

        var allergy = _record.Current<AllergyIntolerance>(_entry);
        Assert.Equal("764146007", allergy.Code.Coding.Single().Code);
        Assert.Equal("active", allergy.ClinicalStatus.Coding.Single().Code);
        Assert.Equal("confirmed", allergy.VerificationStatus.Coding.Single().Code);
        Assert.Equal(AllergyIntolerance.AllergyIntoleranceCriticality.High, allergy.Criticality);
        var reaction = Assert.Single(allergy.Reaction);
        Assert.Equal("271807003", reaction.Manifestation.Single().Coding.Single().Code);
        Assert.Equal(AllergyIntolerance.AllergyIntoleranceSeverity.Moderate, reaction.Severity);
        Assert.Equal($"Patient/{_record.PatientFhirId}", allergy.Patient.Reference);
    }

    [Fact]
    public void GivenAllergySeverityWithoutReaction_WhenBuilt_ThenSeverityIsKeptWithPlaceholderManifestation()
    {
        Registered().Given(new AllergyRecorded(_entry, _encounter, SampleEvents.Penicillin, null, "severe", "unable-to-assess", null));

        var allergy = _record.Current<AllergyIntolerance>(_entry);
        Assert.Equal(AllergyIntolerance.AllergyIntoleranceCriticality.UnableToAssess, allergy.Criticality);
        Assert.Equal(AllergyIntolerance.AllergyIntoleranceSeverity.Severe, allergy.Reaction.Single().Severity);
        RecordScenario.AssertValid(allergy);
    }

    [Fact]
    public void GivenMedicationRecorded_WhenBuilt_ThenMedicationStatementWithDmdCodingAndDosageText()
    {
        Registered().Given(new MedicationRecorded(_entry, _encounter, SampleEvents.Amlodipine, "One tablet daily", new DateOnly(2023, 6, 1)));

        var statement = _record.Current<MedicationStatement>(_entry);
        Assert.Equal(MedicationStatement.MedicationStatusCodes.Active, statement.Status);
        var coding = ((CodeableConcept)statement.Medication).Coding.Single();
        Assert.Equal(("https://dmd.nhs.uk", "319283006"), (coding.System, coding.Code));
        Assert.Equal("One tablet daily", statement.Dosage.Single().Text);
        Assert.Equal("2023-06-01", ((FhirDateTime)statement.Effective).Value);
    }

    [Fact]
    public void GivenImmunisationGiven_WhenBuilt_ThenCompletedImmunization()
    {
        Registered().Given(new ImmunisationGiven(_entry, _encounter, SampleEvents.FluVaccine, new DateOnly(2023, 10, 5), "LOT42"));

        var immunization = _record.Current<Immunization>(_entry);
        Assert.Equal(Immunization.ImmunizationStatusCodes.Completed, immunization.Status);
        Assert.Equal("1181000221105", immunization.VaccineCode.Coding.Single().Code);
        Assert.Equal("2023-10-05", ((FhirDateTime)immunization.Occurrence).Value);
        Assert.Equal("LOT42", immunization.LotNumber);
    }

    [Fact]
    public void GivenReferralMade_WhenBuilt_ThenServiceRequestOrderWithPriority()
    {
        Registered().Given(new ReferralMade(_entry, _encounter, SampleEvents.Cardiology, SampleEvents.Hypertension, "urgent", "Leeds General Infirmary"));

        var request = _record.Current<ServiceRequest>(_entry);
        Assert.Equal(RequestIntent.Order, request.Intent);
        Assert.Equal(RequestStatus.Active, request.Status);
        Assert.Equal(RequestPriority.Urgent, request.Priority);
        Assert.Equal("183519002", request.Code.Coding.Single().Code);
        Assert.Equal("Leeds General Infirmary", request.Performer.Single().Display);
    }

    [Fact]
    public void GivenNoteWritten_WhenBuilt_ThenPlainTextDocumentReferenceLinkedToEncounter()
    {
        Registered().Given(new NoteWritten(_entry, _encounter, "BP high, recheck in 2 weeks."));

        var note = _record.Current<DocumentReference>(_entry);
        Assert.Equal(DocumentReferenceStatus.Current, note.Status);
        Assert.Equal("11506-3", note.Type.Coding.Single().Code);
        Assert.Equal("BP high, recheck in 2 weeks.", System.Text.Encoding.UTF8.GetString(note.Content.Single().Attachment.Data));
        Assert.Equal($"Encounter/{_encounter:D}", note.Context.Encounter.Single().Reference);
    }

    public static TheoryData<string> EntryKinds => ["Condition", "Observation", "AllergyIntolerance", "MedicationStatement", "Immunization", "ServiceRequest", "DocumentReference", "Encounter"];

    [Theory]
    [MemberData(nameof(EntryKinds))]
    public void GivenEntryMarkedEnteredInError_WhenBuilt_ThenNewVersionCarriesEnteredInErrorStatus(string kind)
    {
        Registered();
        var id = kind == "Encounter" ? _encounter : _entry;
        _record.Given(kind switch
        {
            "Condition" => new ProblemAdded(_entry, _encounter, SampleEvents.Hypertension, null, "active", null),
            "Observation" => new ObservationRecorded(_entry, _encounter, SampleEvents.Weight, RecordScenario.Start, new Quantity(80, "kg"), []),
            "AllergyIntolerance" => new AllergyRecorded(_entry, _encounter, SampleEvents.Penicillin, SampleEvents.Rash, "mild", "low", null),
            "MedicationStatement" => new MedicationRecorded(_entry, _encounter, SampleEvents.Amlodipine, null, null),
            "Immunization" => new ImmunisationGiven(_entry, _encounter, SampleEvents.FluVaccine, new DateOnly(2023, 1, 1), null),
            "ServiceRequest" => new ReferralMade(_entry, _encounter, SampleEvents.Cardiology, null, "routine", null),
            "DocumentReference" => new NoteWritten(_entry, _encounter, "Wrong patient"),
            _ => new NoteWritten(_entry, _encounter, "Entry in the encounter"),
        });
        var before = _record.Fold.Current.Single(r => r.Id == id.ToString("D")).VersionId;

        _record.Given(new EntryMarkedEnteredInError(id, "Recorded against the wrong patient"));

        var resource = _record.Current<Resource>(id);
        Assert.Equal(kind, resource.TypeName);
        Assert.Equal((before + 1).ToString(), resource.Meta.VersionId);
        var status = resource switch
        {
            Condition c => c.VerificationStatus.Coding.Single().Code,
            AllergyIntolerance a => a.VerificationStatus.Coding.Single().Code,
            Observation o => Hl7.Fhir.Utility.EnumUtility.GetLiteral(o.Status),
            MedicationStatement m => Hl7.Fhir.Utility.EnumUtility.GetLiteral(m.Status),
            Immunization i => Hl7.Fhir.Utility.EnumUtility.GetLiteral(i.Status),
            ServiceRequest s => Hl7.Fhir.Utility.EnumUtility.GetLiteral(s.Status),
            DocumentReference d => Hl7.Fhir.Utility.EnumUtility.GetLiteral(d.Status),
            Encounter e => Hl7.Fhir.Utility.EnumUtility.GetLiteral(e.Status),
            _ => null,
        };
        Assert.Equal("entered-in-error", status);
        if (resource is Condition condition)
            Assert.Null(condition.ClinicalStatus);
        if (resource is AllergyIntolerance allergy)
            Assert.Null(allergy.ClinicalStatus);
        RecordScenario.AssertValid(resource);

        // The earlier version is still there: nothing is deleted.
        Assert.Equal(before + 1, _record.Fold.Versions.Count(v => v.Id == id.ToString("D")));
        var provenance = _record.LastProvenance;
        Assert.Equal("NULLIFY", provenance.Activity.Coding.Single().Code);
        Assert.Contains("Recorded against the wrong patient", provenance.Reason.Select(r => r.Text));
    }

    [Fact]
    public void GivenAnyEvent_WhenBuilt_ThenProvenanceNamesVersionTimeAgentRoleOrganisationClientAndReason()
    {
        _record.Given(SampleEvents.Registered(_record.PatientId));

        var provenance = _record.LastProvenance;
        Assert.Equal(_record.Events[0].EventId.ToString("D"), provenance.Id);
        Assert.Equal($"Patient/{_record.PatientFhirId}/_history/1", provenance.Target.Single().Reference);
        Assert.Equal(RecordScenario.Start, provenance.Recorded);
        Assert.Equal("CREATE", provenance.Activity.Coding.Single().Code);
        Assert.Equal("Consultation", provenance.Reason.Single().Text);
        var author = provenance.Agent[0];
        Assert.Equal("author", author.Type.Coding.Single().Code);
        Assert.Equal("G8123456", author.Who.Identifier.Value);
        Assert.Equal("GP", author.Role.Single().Text);
        Assert.Equal("A81001", author.OnBehalfOf.Identifier.Value);
        var client = provenance.Agent.Single(a => a.Type?.Coding.Single().Code == "assembler");
        Assert.Equal("gp-desktop", client.Who.Identifier.Value);
        Assert.Equal(["corr-1", "cmd-1"], provenance.Extension.Select(e => ((FhirString)e.Value).Value));
    }

    [Fact]
    public void GivenActionOnBehalfOfAPerson_WhenBuilt_ThenAuthorActsForThatPersonAndTheOrganisationIsAnAgentToo()
    {
        _record.GivenBy(RecordScenario.Clinician with { UserId = "R0001", Role = "Receptionist", OnBehalfOf = "G8123456" },
            SampleEvents.Registered(_record.PatientId));

        var provenance = _record.LastProvenance;
        Assert.Equal(("R0001", "G8123456"), (provenance.Agent[0].Who.Identifier.Value, provenance.Agent[0].OnBehalfOf.Identifier.Value));
        Assert.Contains(provenance.Agent, a => a.Who.Type == "Organization" && a.Who.Identifier.Value == "A81001");
        RecordScenario.AssertValid(provenance);
    }

    [Fact]
    public void GivenEventsOfOtherStreamsOrUnknownTypes_WhenBuilt_ThenNothingIsBuilt()
    {
        var reservation = _record.Record(SampleEvents.Registered(_record.PatientId), streamId: "nhs-number-9990001234");
        Assert.Null(RecordEvent.TryDecode(reservation));

        var unknown = _record.Record(SampleEvents.Registered(_record.PatientId)) with { EventType = "V1.SomethingNew" };
        Assert.Null(RecordEvent.TryDecode(unknown));
    }

    [Fact]
    public void GivenChangeToAnEntryThatDoesNotExist_WhenBuilt_ThenNothingIsBuilt()
    {
        Registered();
        var resolved = RecordEvent.TryDecode(_record.Record(new ProblemResolved(Guid.NewGuid(), new DateOnly(2024, 1, 1))))!;
        Assert.Empty(PatientRecordFhirBuilder.Build(resolved, current: null));
        var inError = RecordEvent.TryDecode(_record.Record(new EntryMarkedEnteredInError(Guid.NewGuid(), "typo")))!;
        Assert.Empty(PatientRecordFhirBuilder.Build(inError, current: null));
    }

    [Fact]
    public void GivenTheSameStream_WhenFoldedTwice_ThenEveryVersionIsByteIdentical()
    {
        Registered().Given(
            new ProblemAdded(_entry, _encounter, SampleEvents.Hypertension, null, "active", null),
            new ProblemResolved(_entry, new DateOnly(2024, 2, 1)),
            new EntryMarkedEnteredInError(_entry, "duplicate"));

        var again = new PatientRecordFold(_record.PatientId);
        foreach (var recorded in _record.Events)
            again.Apply(recorded);

        Assert.Equal(_record.Fold.Versions.Select(v => v.Json), again.Versions.Select(v => v.Json));
    }
}
