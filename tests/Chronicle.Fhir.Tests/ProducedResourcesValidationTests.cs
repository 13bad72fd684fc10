using Chronicle.EventStore;
using Chronicle.Record.Fhir.Projection;
using Chronicle.Record.Synthetic;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Fhir.Tests;

/// <summary>Every resource version the builder produces for realistic records passes Firely's POCO validation.</summary>
public sealed class ProducedResourcesValidationTests
{
    [Fact]
    public void GivenSyntheticRecordsWithEveryEntryThenMarkedEnteredInError_WhenBuilt_ThenEveryVersionPassesPocoValidation()
    {
        var synthetic = new SyntheticRecords(seed: 7, today: new DateOnly(2025, 1, 1));
        var types = new HashSet<string>(StringComparer.Ordinal);
        var versions = 0;
        for (var i = 0; i < 5; i++)
        {
            var appends = synthetic.Patient(i);
            var record = new RecordScenario(appends[0].PatientId);
            foreach (var append in appends)
                record.GivenBy(append.Metadata, [.. append.Events]);

            var entryIds = record.Fold.Current.Where(r => r.Type is not "Patient" and not "Provenance").Select(r => Guid.Parse(r.Id)).ToList();
            foreach (var id in entryIds)
                record.GivenBy(EventMetadata.Empty, new EntryMarkedEnteredInError(id, "audit test"));

            foreach (var version in record.Fold.Versions)
            {
                var resource = version.Parse();
                RecordScenario.AssertValid(resource);
                types.Add(resource.TypeName);
                versions++;
            }
        }

        Assert.Superset(new HashSet<string>(["Patient", "Encounter", "Condition", "Observation", "AllergyIntolerance",
            "MedicationStatement", "Immunization", "ServiceRequest", "DocumentReference", "Provenance"]), types);
        Assert.True(versions > 100, $"Only {versions} versions were produced.");
    }
}
