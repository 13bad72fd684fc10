using System.Net;
using Chronicle.Auditing;
using Chronicle.Fhir;
using Chronicle.Fhir.Tests;
using Chronicle.Record.Domain;
using Chronicle.Testing;
using Hl7.Fhir.Model;
using static Chronicle.Record.Domain.RecordEventsV1;
using Coding = Chronicle.Record.Domain.Coding;
using Quantity = Chronicle.Record.Domain.Quantity;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>Patient/$summary: the record as an IPS-shaped document for another care setting, now or as it stood.</summary>
public abstract class PatientSummaryTests(StorageBackend storage) : IAsyncLifetime
{
    private static readonly Coding HbA1c = new(CodeSystems.Snomed, "43396009", "Hemoglobin A1c measurement");
    private FhirApiServer _server = null!;

    public async Task InitializeAsync() => _server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(storage, FhirApiServer.Storage));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<Bundle> SummaryAsync(string id, string query = "")
    {
        using var response = await _server.Http.GetAsync($"Patient/{id}/$summary{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return FhirJson.Deserialize<Bundle>(body);
    }

    [Fact]
    public async Task GivenARecordOfEveryKind_WhenSummarised_ThenADocumentWithTheIpsSectionsEachNamingItsEntriesAndNothingEnteredInError()
    {
        var patient = new SampleRecord();
        var (resolved, wrong, result) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await _server.AppendAsync(patient.PatientId, [patient.Registered, .. patient.Consultation(SampleRecord.Consulted),
            new ProblemAdded(resolved, patient.Encounter, SampleRecord.Asthma, new DateOnly(2010, 1, 1), "resolved", new DateOnly(2015, 1, 1)),
            new ProblemAdded(wrong, patient.Encounter, new Coding(CodeSystems.Snomed, "44054006", "Diabetes mellitus type 2"), null, "active", null),
            new ObservationRecorded(result, patient.Encounter, HbA1c, SampleRecord.Consulted, new Quantity(48, "mmol/mol"), []),
            new EntryMarkedEnteredInError(wrong, "Wrong patient")]);

        var summary = await SummaryAsync(patient.Id);

        Assert.Equal(Bundle.BundleType.Document, summary.Type);
        var composition = Assert.IsType<Composition>(summary.Entry[0].Resource);
        Assert.Equal(("http://loinc.org", "60591-5", CompositionStatus.Final), (composition.Type.Coding[0].System, composition.Type.Coding[0].Code, composition.Status));
        Assert.Equal($"Patient/{patient.Id}", composition.Subject.Reference);
        Assert.Equal(["11450-4", "48765-2", "10160-0", "11369-6", "11348-0", "30954-2", "8716-3"], composition.Section.Select(s => s.Code.Coding[0].Code));
        string[] Entries(string code) => [.. composition.Section.Single(s => s.Code.Coding[0].Code == code).Entry.Select(e => e.Reference)];
        Assert.Equal([$"Condition/{patient.Problem}"], Entries("11450-4"));
        Assert.Equal([$"Condition/{resolved}"], Entries("11348-0"));
        Assert.Equal([$"AllergyIntolerance/{patient.Allergy}"], Entries("48765-2"));
        Assert.Equal([$"MedicationStatement/{patient.Medication}"], Entries("10160-0"));
        Assert.Equal([$"Immunization/{patient.Immunisation}"], Entries("11369-6"));
        Assert.Equal([$"Observation/{result}"], Entries("30954-2"));
        Assert.Equal([$"Observation/{patient.Observation}"], Entries("8716-3"));
        Assert.DoesNotContain(summary.Entry, e => e.Resource.Id == wrong.ToString("D"));
        // Every reference in the document resolves inside it; every section is readable as narrative.
        var inside = summary.Entry.Skip(1).Select(e => $"{e.Resource.TypeName}/{e.Resource.Id}").ToHashSet();
        Assert.All(composition.Section.SelectMany(s => s.Entry), e => Assert.Contains(e.Reference, inside));
        Assert.Contains($"Encounter/{patient.Encounter}", inside);
        Assert.All(composition.Section, s => Assert.Equal(Narrative.NarrativeStatus.Generated, s.Text.Status));
        Assert.Contains("Hypertensive disorder", composition.Section[0].Text.Div, StringComparison.Ordinal);
        Assert.Empty(ProfileValidator.Errors(summary));
    }

    [Fact]
    public async Task GivenARecordWithNoEntries_WhenSummarised_ThenOnlyTheRequiredSectionsWithAnEmptyReason()
    {
        var patient = new SampleRecord();
        await _server.AppendAsync(patient.PatientId, patient.Registered);

        var composition = Assert.IsType<Composition>((await SummaryAsync(patient.Id)).Entry[0].Resource);

        Assert.Equal(["11450-4", "48765-2", "10160-0"], composition.Section.Select(s => s.Code.Coding[0].Code));
        Assert.All(composition.Section, s => Assert.Equal(("nilknown", 0), (s.EmptyReason.Coding[0].Code, s.Entry.Count)));
    }

    [Fact]
    public async Task GivenAProblemAddedLater_WhenSummarisedAsTheRecordStoodBefore_ThenTheSummaryIsOfThatMomentAndAudited()
    {
        var patient = new SampleRecord();
        await _server.AppendAsync(patient.PatientId, [patient.Registered, .. patient.Consultation(SampleRecord.Consulted)]);
        var before = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        var later = Guid.NewGuid();
        await _server.AppendAsync(patient.PatientId, new ProblemAdded(later, patient.Encounter, SampleRecord.Asthma, null, "active", null));

        var now = Assert.IsType<Composition>((await SummaryAsync(patient.Id)).Entry[0].Resource);
        var then = Assert.IsType<Composition>((await SummaryAsync(patient.Id, $"?_at={Uri.EscapeDataString(before.UtcDateTime.ToString("o"))}")).Entry[0].Resource);

        Assert.Contains($"Condition/{later}", now.Section[0].Entry.Select(e => e.Reference));
        Assert.Equal([$"Condition/{patient.Problem}"], then.Section[0].Entry.Select(e => e.Reference));
        Assert.StartsWith("Patient summary as the record stood at", then.Title, StringComparison.Ordinal);
        var audited = (await _server.AuditEntriesAsync()).Where(e => e.Action == AuditAction.Summary).ToList();
        Assert.Equal(2, audited.Count);
        Assert.All(audited, e => Assert.Equal((patient.Id, 200), (e.PatientId, e.Outcome)));
    }

    [Theory]
    [InlineData("?_count=5", HttpStatusCode.BadRequest)]
    [InlineData("?_at=yesterday", HttpStatusCode.BadRequest)]
    public async Task GivenAParameterItDoesNotTakeOrABadOne_WhenSummarised_ThenAnOperationOutcomeSaysSo(string query, HttpStatusCode status)
    {
        var patient = new SampleRecord();
        await _server.AppendAsync(patient.PatientId, patient.Registered);

        using var response = await _server.Http.GetAsync($"Patient/{patient.Id}/$summary{query}");

        Assert.Equal(status, response.StatusCode);
        Assert.IsType<OperationOutcome>(FhirJson.Deserialize<Resource>(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task GivenAnUnknownOrMalformedPatient_WhenSummarised_ThenNotFound()
    {
        using var unknown = await _server.Http.GetAsync($"Patient/{Guid.NewGuid()}/$summary");
        using var malformed = await _server.Http.GetAsync("Patient/not-a-uuid/$summary");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (unknown.StatusCode, malformed.StatusCode));
    }
}

public sealed class SqlitePatientSummaryTests() : PatientSummaryTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresPatientSummaryTests() : PatientSummaryTests(StorageBackend.Postgres);
