using System.Net;
using Chronicle.Fhir.Search;
using Chronicle.Record.Fhir.Api;
using Chronicle.Record.Fhir.Projection;
using Hl7.Fhir.Model;

namespace Chronicle.Fhir.Tests;

public sealed class FhirInfrastructureTests
{
    [Fact]
    public void GivenUnknownElement_WhenParsedStrictly_Then422()
    {
        var error = Assert.Throws<FhirException>(() => FhirJson.Deserialize("""{"resourceType":"Patient","colour":"blue"}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, error.Status);
        Assert.Contains("colour", error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, Assert.Throws<FhirException>(() => FhirJson.Deserialize("{not json")).Status);
    }

    [Fact]
    public void GivenAnError_WhenAnswered_ThenTheOperationOutcomeCarriesSeverityCodeAndDiagnostics()
    {
        var outcome = FhirException.NotFound("Patient/x is not known.").ToOperationOutcome();
        var issue = Assert.Single(outcome.Issue);
        Assert.Equal((OperationOutcome.IssueSeverity.Error, OperationOutcome.IssueType.NotFound, "Patient/x is not known."),
            (issue.Severity!.Value, issue.Code!.Value, issue.Diagnostics));
        RecordScenario.AssertValid(outcome);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("application/fhir+json", true)]
    [InlineData("application/json", true)]
    [InlineData("*/*", true)]
    [InlineData("application/fhir+xml", false)]
    [InlineData("application/fhir+xml, application/fhir+json;q=0.5", true)]
    [InlineData("application/fhir+json;q=0, application/xml", false)]
    public void GivenAcceptHeaders_WhenNegotiated_ThenOnlyJsonIsAdmitted(string? accept, bool admitted) =>
        Assert.Equal(admitted, FhirMediaTypes.AdmitsFhirJson([accept]));

    [Theory]
    [InlineData("W/\"3\"", true)]
    [InlineData("\"3\"", true)]
    [InlineData("W/\"2\", W/\"3\"", true)]
    [InlineData("*", true)]
    [InlineData("W/\"4\"", false)]
    public void GivenIfNoneMatch_WhenComparedWithAVersion_ThenItMatchesWeaklyOrStrongly(string header, bool matches) =>
        Assert.Equal(matches, ETags.AnyMatches([header], "3"));

    [Fact]
    public void GivenTheRecordDefinitions_WhenTheCapabilityStatementIsBuilt_ThenItListsExactlyThemAndValidates()
    {
        var statement = CapabilityStatements.Build(RecordFhirDefinitions.Server("1.0"), "http://localhost/fhir");
        RecordScenario.AssertValid(statement);

        var resources = statement.Rest.Single().Resource;
        Assert.Equal(RecordFhirDefinitions.All.Select(d => d.Type).Concat(Chronicle.Fhir.Conformance.ChronicleDefinitions.ResourceTypes),
            resources.Select(r => r.Type));
        var patient = resources.Single(r => r.Type == "Patient");
        Assert.Equal(["_id", "_lastUpdated", "identifier", "name", "birthdate", "gender"], patient.SearchParam.Select(p => p.Name));
        var everything = patient.Operation.Single(o => o.Name == "everything");
        Assert.Equal(["everything", "summary"], patient.Operation.Select(o => o.Name));
        Assert.Equal("everything", everything.Name);
        Assert.Contains("_at", everything.Documentation, StringComparison.Ordinal);
        var condition = resources.Single(r => r.Type == "Condition");
        Assert.Equal(["Condition:patient"], condition.SearchInclude);
        Assert.Contains(condition.SearchParam, p => p.Name == "clinical-status" && p.Type == SearchParamType.Token);
        Assert.Contains("consultation notes", resources.Single(r => r.Type == "DocumentReference").Documentation, StringComparison.Ordinal);
    }

    [Fact]
    public void GivenAPatient_WhenIndexed_ThenTheSearchIndexHoldsIdentifierGenderBirthDateAndNameParts()
    {
        var record = new RecordScenario().Given(SampleEvents.Registered(Guid.NewGuid()));
        var patientRecord = new RecordScenario(record.PatientId).Given(SampleEvents.Registered(record.PatientId));
        var entries = RecordSearchIndex.Extract(patientRecord.Current<Patient>(record.PatientId));

        Assert.Contains(new TokenIndexEntry("identifier", "https://fhir.nhs.uk/Id/nhs-number", "9990001234"), entries.Tokens);
        Assert.Contains(new TokenIndexEntry("gender", "http://hl7.org/fhir/administrative-gender", "female"), entries.Tokens);
        Assert.Contains(entries.Dates, d => d.Parameter == "birthdate" && FhirDateRange.FromMicros(d.Range.Low) == new DateTimeOffset(1956, 4, 12, 0, 0, 0, TimeSpan.Zero));
        Assert.Contains(entries.Dates, d => d.Parameter == "_lastUpdated");
        Assert.Equal(["mrs", "olivia", "grace", "smith"], entries.Strings.Select(s => s.Normalised));
    }
}
