using Chronicle.Fhir.Conformance;
using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Api;
using Chronicle.Record.Synthetic;
using Hl7.Fhir.Model;
using static Chronicle.Record.Domain.RecordEventsV1;
using Coding = Chronicle.Record.Domain.Coding;

namespace Chronicle.Fhir.Tests;

/// <summary>
/// Conformance: every resource the Record serves for generated patients, plus the kinds of entry the generator does not
/// write, validated with Firely's validator against the R4 specification, the profiles they claim (vital signs) and
/// Chronicle's own published definitions. No errors, no extension left unresolved, and no served type left unvalidated.
/// </summary>
public sealed class RecordConformanceTests
{
    [Fact]
    public void GivenGeneratedRecordsAndEveryOtherKindOfEntry_WhenEveryVersionServedIsValidated_ThenNoneHasAProblemAndEveryServedTypeIsAmongThem()
    {
        var resources = new List<Resource>();
        foreach (var patient in new SyntheticRecords(seed: 20261207, today: new DateOnly(2026, 12, 1)).Patients(4).GroupBy(a => a.PatientId))
        {
            var scenario = new RecordScenario(patient.Key);
            foreach (var append in patient)
                scenario.GivenBy(append.Metadata, [.. append.Events]);
            resources.AddRange(scenario.Fold.Versions.Select(v => v.Parse()));
        }

        resources.AddRange(EveryOtherKind().Fold.Versions.Select(v => v.Parse()));
        var problems = resources.SelectMany(r => ProfileValidator.Problems(r).Select(p => $"{r.TypeName}/{r.Id}: {p}")).ToList();

        Assert.True(problems.Count == 0, $"{problems.Count} problems in {resources.Count} resources:\n{string.Join("\n", problems.Take(40))}");
        Assert.Empty(RecordFhirDefinitions.All.Select(d => d.Type).Except(resources.Select(r => r.TypeName)));
        Assert.Contains(resources.OfType<Observation>(), o => o.Meta.Profile.Any());
        Assert.Contains(resources.OfType<Provenance>(), p => p.Extension.Any(e => e.Url == ChronicleDefinitions.CorrelationIdExtension));
    }

    [Theory]
    [InlineData("urn:chronicle:extension:correlation-id", "corr-1")]
    [InlineData(ChronicleDefinitions.AuditChainSeqExtension, "7")]
    public void GivenAnExtensionThatIsNotDefinedOrHasTheWrongValueType_WhenValidated_ThenItIsAProblem(string url, string value)
    {
        var provenance = new Provenance
        {
            Id = "p1",
            Target = [new ResourceReference("Patient/1")],
            Recorded = DateTimeOffset.UnixEpoch,
            Agent = [new Provenance.AgentComponent { Who = new ResourceReference { Display = "Dr A" } }],
        };
        provenance.Extension.Add(new Extension(url, new FhirString(value)));

        Assert.NotEmpty(ProfileValidator.Problems(provenance));
    }

    [Fact]
    public void GivenChroniclesDefinitions_WhenValidatedAgainstR4_ThenEachIsValid()
    {
        foreach (var definition in ChronicleDefinitions.All)
            Assert.Empty(ProfileValidator.Problems(definition));
    }

    /// <summary>A family history, a procedure, a note and a correction, which the generator does not write.</summary>
    private static RecordScenario EveryOtherKind()
    {
        var scenario = new RecordScenario();
        var encounter = Guid.NewGuid();
        var (family, procedure) = (Guid.NewGuid(), Guid.NewGuid());
        return scenario.Given(
            SampleEvents.Registered(scenario.PatientId),
            SampleEvents.Consultation(encounter),
            new FamilyHistoryRecorded(family, encounter, "MTH", new Coding(CodeSystems.Snomed, "254837009", "Malignant neoplasm of breast"), 52, "In remission."),
            new ProcedureRecorded(procedure, encounter, new Coding(CodeSystems.Snomed, "80146002", "Appendicectomy"), new DateOnly(2024, 5, 1), "Laparoscopic."),
            new NoteWritten(Guid.NewGuid(), encounter, "Seen with <b>daughter</b> & carer."),
            new EntryMarkedEnteredInError(procedure, "Recorded against the wrong patient"),
            new EntryMarkedEnteredInError(family, "Wrong relative"));
    }
}
