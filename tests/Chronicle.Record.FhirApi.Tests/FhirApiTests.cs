using System.Net;
using System.Net.Http.Headers;
using Chronicle.Fhir;
using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Api;
using Chronicle.Record.Fhir.Projection;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using static Chronicle.Record.Domain.RecordEventsV1;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// The Record's FHIR API end to end, through Firely's FhirClient against a real Kestrel server. Every response is
/// parsed strictly and every resource validated. Subclasses choose the database (SQLite, PostgreSQL).
/// </summary>
public abstract class FhirApiTests(StorageBackend storage) : IAsyncLifetime
{
    protected static readonly DateTimeOffset Consulted = SampleRecord.Consulted;

    private FhirApiServer? _server;
    private FhirClient? _client;

    protected FhirApiServer Server => _server!;
    protected FhirClient Client => _client!;

    public async Task InitializeAsync()
    {
        _server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(storage, FhirApiServer.Storage), options => options.MaxReadYourWritesWait = TimeSpan.FromSeconds(1));
        _client = _server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
            await _server.DisposeAsync();
    }

    private async Task<SampleRecord> SeedAsync(SampleRecord? record = null)
    {
        record ??= new SampleRecord();
        await Server.AppendAsync(record.PatientId, [record.Registered, .. record.Consultation(Consulted)]);
        return record;
    }

    [Fact]
    public async Task GivenServer_WhenMetadataIsRead_ThenCapabilityStatementListsResourcesSearchParamsAndEverything()
    {
        var statement = FhirAssert.Valid(await Client.CapabilityStatementAsync());

        Assert.Equal(FHIRVersion.N4_0_1, statement.FhirVersion);
        var resources = statement.Rest.Single().Resource;
        Assert.Equal(["Patient", "Encounter", "Condition", "Observation", "AllergyIntolerance", "MedicationStatement",
            "Immunization", "ServiceRequest", "DocumentReference", "FamilyMemberHistory", "Procedure", "Provenance", "StructureDefinition", "SearchParameter", "OperationDefinition"],
            resources.Select(r => r.Type));
        var patient = resources.Single(r => r.Type == "Patient");
        Assert.Equal([CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.Vread,
            CapabilityStatement.TypeRestfulInteraction.HistoryInstance, CapabilityStatement.TypeRestfulInteraction.SearchType],
            patient.Interaction.Select(i => i.Code!.Value));
        Assert.Contains(patient.SearchParam, p => p.Name == "identifier");
        Assert.Contains("_at", patient.Operation.Single(o => o.Name == "everything").Documentation, StringComparison.Ordinal);
        Assert.Contains("Condition:patient", resources.Single(r => r.Type == "Condition").SearchInclude);
    }

    [Fact]
    public async Task GivenPatient_WhenRead_ThenCurrentVersionWithETagAndLastModified()
    {
        var record = await SeedAsync();

        var patient = FhirAssert.Valid(await Client.ReadAsync<Patient>($"Patient/{record.Id}"));
        Assert.Equal(record.Id, patient.Id);
        Assert.Equal("1", patient.Meta.VersionId);
        Assert.Equal("9990001234", patient.Identifier.Single().Value);

        using var response = await Server.Http.GetAsync($"Patient/{record.Id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("W/\"1\"", response.Headers.ETag?.ToString());
        Assert.NotNull(response.Content.Headers.LastModified);
    }

    [Fact]
    public async Task GivenEveryEntryKind_WhenRead_ThenEachIsServedAndValid()
    {
        var record = await SeedAsync();
        FhirAssert.Valid(await Client.ReadAsync<Encounter>($"Encounter/{record.Encounter:D}"));
        FhirAssert.Valid(await Client.ReadAsync<Condition>($"Condition/{record.Problem:D}"));
        var bp = FhirAssert.Valid(await Client.ReadAsync<Observation>($"Observation/{record.Observation:D}"));
        Assert.Equal(2, bp.Component.Count);
        FhirAssert.Valid(await Client.ReadAsync<AllergyIntolerance>($"AllergyIntolerance/{record.Allergy:D}"));
        FhirAssert.Valid(await Client.ReadAsync<MedicationStatement>($"MedicationStatement/{record.Medication:D}"));
        FhirAssert.Valid(await Client.ReadAsync<Immunization>($"Immunization/{record.Immunisation:D}"));
        FhirAssert.Valid(await Client.ReadAsync<ServiceRequest>($"ServiceRequest/{record.Referral:D}"));
        FhirAssert.Valid(await Client.ReadAsync<DocumentReference>($"DocumentReference/{record.Note:D}"));
    }

    [Fact]
    public async Task GivenUnchangedResource_WhenReadWithItsETag_Then304()
    {
        var record = await SeedAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"Patient/{record.Id}");
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"1\"", isWeak: true));
        using var response = await Server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);

        await Server.AppendAsync(record.PatientId, new DemographicsUpdated(record.PatientId, record.Demographics with { Gender = "other" }));
        using var stale = new HttpRequestMessage(HttpMethod.Get, $"Patient/{record.Id}");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"1\"", isWeak: true));
        using var changed = await Server.Http.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("W/\"2\"", changed.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task GivenTwoVersions_WhenVReadAndHistory_ThenEachVersionIsExact()
    {
        var record = await SeedAsync();
        await Server.AppendAsync(record.PatientId, new DemographicsUpdated(record.PatientId,
            record.Demographics with { Name = new PersonName("Okafor", ["Olivia"]) }));

        var first = FhirAssert.Valid(await Client.ReadAsync<Patient>($"Patient/{record.Id}/_history/1"));
        var second = FhirAssert.Valid(await Client.ReadAsync<Patient>($"Patient/{record.Id}/_history/2"));
        Assert.Equal(("Smith", "Okafor"), (first.Name.Single().Family, second.Name.Single().Family));
        Assert.True(second.Meta.LastUpdated > first.Meta.LastUpdated);
        await FhirAssert.FailsAsync(HttpStatusCode.NotFound, () => Client.ReadAsync<Patient>($"Patient/{record.Id}/_history/3"));

        var history = FhirAssert.Valid(await Client.HistoryAsync($"Patient/{record.Id}"));
        Assert.Equal(Bundle.BundleType.History, history.Type);
        Assert.Equal(["2", "1"], history.Entry.Select(e => e.Resource.Meta.VersionId));
        Assert.Equal([Bundle.HTTPVerb.PUT, Bundle.HTTPVerb.POST], history.Entry.Select(e => e.Request.Method!.Value));

        var paged = FhirAssert.Valid(await Client.HistoryAsync($"Patient/{record.Id}", pageSize: 1));
        Assert.Equal("2", paged.Entry.Single().Resource.Meta.VersionId);
        var older = FhirAssert.Valid(await Client.ContinueAsync(paged));
        Assert.Equal("1", older!.Entry.Single().Resource.Meta.VersionId);
        Assert.Null(older.NextLink);

        var since = FhirAssert.Valid(await Client.HistoryAsync($"Patient/{record.Id}", since: second.Meta.LastUpdated));
        Assert.Equal(["2"], since.Entry.Select(e => e.Resource.Meta.VersionId));
    }

    [Fact]
    public async Task GivenEntryMarkedEnteredInError_WhenRead_ThenNewVersionHasTheStatusAndTheOldOneRemains()
    {
        var record = await SeedAsync();
        await Server.AppendAsync(record.PatientId, new EntryMarkedEnteredInError(record.Problem, "Wrong patient"));

        var condition = FhirAssert.Valid(await Client.ReadAsync<Condition>($"Condition/{record.Problem:D}"));
        Assert.Equal("2", condition.Meta.VersionId);
        Assert.Equal("entered-in-error", condition.VerificationStatus.Coding.Single().Code);
        Assert.Null(condition.ClinicalStatus);
        var original = FhirAssert.Valid(await Client.ReadAsync<Condition>($"Condition/{record.Problem:D}/_history/1"));
        Assert.Equal("confirmed", original.VerificationStatus.Coding.Single().Code);

        var provenance = FhirAssert.Valid(await Client.SearchAsync<Provenance>([$"patient={record.Id}", "_count=100"]));
        Assert.Contains(FhirAssert.Matches<Provenance>(provenance),
            p => p.Target.Single().Reference == $"Condition/{record.Problem:D}/_history/2" && p.Reason.Any(r => r.Text == "Wrong patient"));
    }

    [Fact]
    public async Task GivenPatients_WhenSearchedByEachPatientParameter_ThenOnlyMatchesReturn()
    {
        var olivia = await SeedAsync();
        var george = await SeedAsync(new SampleRecord("9990005678", "Okafor", "George", "male", new DateOnly(1990, 7, 30)));

        async Task<IReadOnlyList<string?>> Ids(params string[] criteria) =>
            FhirAssert.Matches<Patient>(FhirAssert.Valid(await Client.SearchAsync<Patient>(criteria))).Select(p => p.Id).ToList();

        Assert.Equal([olivia.Id], await Ids("identifier=https://fhir.nhs.uk/Id/nhs-number|9990001234"));
        Assert.Equal([george.Id], await Ids("identifier=9990005678"));
        Assert.Empty(await Ids("identifier=http://other.example/id|9990001234"));
        Assert.Equal([george.Id], await Ids("name=oka"));
        Assert.Equal([olivia.Id], await Ids("name=OLIV"));
        Assert.Equal([george.Id], await Ids("name:exact=George"));
        Assert.Empty(await Ids("name:exact=george"));
        Assert.Equal([olivia.Id, george.Id], await Ids("name=smith,okafor"));
        Assert.Equal([olivia.Id], await Ids("birthdate=1956-04-12"));
        Assert.Equal([olivia.Id], await Ids("birthdate=1956"));
        Assert.Equal([george.Id], await Ids("birthdate=ge1960"));
        Assert.Equal([olivia.Id], await Ids("birthdate=lt1960-01-01"));
        Assert.Equal([george.Id], await Ids("birthdate=gt1990-06"));
        Assert.Empty(await Ids("birthdate=gt1990-07"));
        Assert.Equal([george.Id], await Ids("birthdate=eq1990-07"));
        Assert.Equal([george.Id], await Ids("gender=male"));
        Assert.Equal([olivia.Id], await Ids("gender=http://hl7.org/fhir/administrative-gender|female"));
        Assert.Equal([olivia.Id], await Ids("gender=female", "name=smith", "birthdate=le1956-12-31"));
        Assert.Equal([george.Id], await Ids($"_id={george.Id}"));
        Assert.Equal([olivia.Id, george.Id], await Ids("_lastUpdated=ge2000-01-01"));
        Assert.Empty(await Ids("_lastUpdated=lt2000-01-01"));
    }

    [Fact]
    public async Task GivenClinicalEntries_WhenSearchedByPatientCodeStatusAndDate_ThenOnlyMatchesReturn()
    {
        var record = await SeedAsync();
        var other = await SeedAsync(new SampleRecord("9990005678", "Okafor"));
        var asthma = Guid.NewGuid();
        await Server.AppendAsync(record.PatientId,
            new ProblemAdded(asthma, record.Encounter, SampleRecord.Asthma, new DateOnly(1999, 1, 1), "active", null),
            new ProblemResolved(asthma, new DateOnly(2010, 1, 1)));

        async Task<IReadOnlyList<string?>> Ids<T>(params string[] criteria) where T : Resource, new() =>
            FhirAssert.Matches<T>(FhirAssert.Valid(await Client.SearchAsync<T>(criteria))).Select(p => p.Id).ToList();

        Assert.Equal([$"{record.Problem:D}", $"{asthma:D}"], await Ids<Condition>($"patient={record.Id}"));
        Assert.Equal([$"{record.Problem:D}", $"{asthma:D}"], await Ids<Condition>($"patient=Patient/{record.Id}"));
        Assert.Equal([$"{asthma:D}"], await Ids<Condition>($"patient={record.Id}", "code=http://snomed.info/sct|195967001"));
        Assert.Equal([$"{record.Problem:D}", $"{other.Problem:D}"], await Ids<Condition>("code=38341003"));
        Assert.Equal([$"{asthma:D}"], await Ids<Condition>($"patient={record.Id}", "clinical-status=resolved"));
        Assert.Equal([$"{record.Problem:D}"], await Ids<Condition>($"patient={record.Id}", "clinical-status=active"));
        Assert.Equal([$"{asthma:D}"], await Ids<Condition>($"patient={record.Id}", "onset-date=lt2000"));
        Assert.Equal([$"{record.Observation:D}"], await Ids<Observation>($"patient={record.Id}", "date=2024-03-01"));
        Assert.Empty(await Ids<Observation>($"patient={record.Id}", "date=gt2024-03-01"));
        Assert.Equal([$"{record.Observation:D}"], await Ids<Observation>($"patient={record.Id}", "date=ge2024-03-01T09:00:00Z", "date=le2024-03-01T09:00:00Z"));
        Assert.Equal([$"{record.Allergy:D}"], await Ids<AllergyIntolerance>($"patient={record.Id}", "clinical-status=active", "code=764146007"));
        Assert.Equal([$"{record.Medication:D}"], await Ids<MedicationStatement>($"patient={record.Id}", "code=https://dmd.nhs.uk|319283006", "effective=2023-06"));
        Assert.Equal([$"{record.Immunisation:D}"], await Ids<Immunization>($"patient={record.Id}", "vaccine-code=1181000221105", "date=2023"));
        Assert.Equal([$"{record.Referral:D}"], await Ids<ServiceRequest>($"patient={record.Id}", "code=183519002"));
        Assert.Equal([$"{record.Note:D}"], await Ids<DocumentReference>($"patient={record.Id}", "type=http://loinc.org|11506-3"));
        Assert.Equal([$"{record.Encounter:D}"], await Ids<Encounter>($"patient={record.Id}", "date=2024-03"));
        Assert.Equal(11, (await Ids<Provenance>($"patient={record.Id}", "_count=100")).Count);
    }

    [Fact]
    public async Task GivenManyMatches_WhenPagedWithNextLinks_ThenEveryMatchAppearsOnceEvenWhenDataIsAddedMeanwhile()
    {
        var record = await SeedAsync();
        var weights = Enumerable.Range(0, 7).Select(i => SampleRecord.WeightOn(record.Encounter, Consulted.AddDays(i), 70 + i)).ToArray();
        await Server.AppendAsync(record.PatientId, weights);

        var page = FhirAssert.Valid(await Client.SearchAsync<Observation>([$"patient={record.Id}", "code=27113001"], pageSize: 3));
        var seen = FhirAssert.Matches<Observation>(page).Select(o => o.Id).ToList();
        Assert.Equal(3, seen.Count);
        Assert.NotNull(page.NextLink);

        // A resource added while the client is paging lands after the pages already read, never shifting them.
        var late = SampleRecord.WeightOn(record.Encounter, Consulted.AddDays(30), 90);
        await Server.AppendAsync(record.PatientId, late);
        while (page.NextLink is not null)
        {
            page = FhirAssert.Valid(await Client.ContinueAsync(page));
            seen.AddRange(FhirAssert.Matches<Observation>(page!).Select(o => o.Id));
        }

        Assert.Equal(weights.Select(w => w.EntryId.ToString("D")).Append(late.EntryId.ToString("D")), seen);
    }

    [Fact]
    public async Task GivenIncludePatient_WhenSearched_ThenThePatientComesAsAnIncludeEntry()
    {
        var record = await SeedAsync();
        var bundle = FhirAssert.Valid(await Client.SearchAsync<Condition>([$"patient={record.Id}"], includes: ["Condition:patient"]));

        Assert.Single(FhirAssert.Matches<Condition>(bundle));
        var included = bundle.Entry.Single(e => e.Search.Mode == Bundle.SearchEntryMode.Include);
        Assert.Equal(record.Id, Assert.IsType<Patient>(included.Resource).Id);
        Assert.EndsWith($"/fhir/Patient/{record.Id}", included.FullUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenUnsupportedSearchParameters_WhenSearched_Then400OperationOutcomeNamesThem()
    {
        var outcome = await FhirAssert.FailsAsync(HttpStatusCode.BadRequest,
            () => Client.SearchAsync<Condition>(["severity=mild", "code=123", "_sort=date"]));
        Assert.Contains("'severity'", outcome.Issue.Single().Diagnostics, StringComparison.Ordinal);
        Assert.Contains("'_sort=date'", outcome.Issue.Single().Diagnostics, StringComparison.Ordinal);
        await FhirAssert.FailsAsync(HttpStatusCode.BadRequest, () => Client.SearchAsync<Observation>(["date=sa2024"]));
        await FhirAssert.FailsAsync(HttpStatusCode.BadRequest, () => Client.SearchAsync<Patient>(["birthdate=yesterday"]));
        await FhirAssert.FailsAsync(HttpStatusCode.BadRequest, () => Client.SearchAsync<Patient>(["_total=some"]));
        await FhirAssert.FailsAsync(HttpStatusCode.BadRequest, () => Client.SearchAsync<Condition>(["_include=Condition:encounter"]));
        await FhirAssert.FailsAsync(HttpStatusCode.BadRequest, () => Client.SearchAsync<Patient>(["_cursor=forged"]));
    }

    [Fact]
    public async Task GivenUnknownThings_WhenRequested_ThenOperationOutcomesWithTheRightStatus()
    {
        var record = await SeedAsync();
        await FhirAssert.FailsAsync(HttpStatusCode.NotFound, () => Client.ReadAsync<Patient>($"Patient/{Guid.NewGuid():D}"));
        await FhirAssert.FailsAsync(HttpStatusCode.NotFound, () => Client.GetAsync("Medication/abc"));
        await FhirAssert.FailsAsync(HttpStatusCode.NotFound, () => Client.GetAsync("Frobnicator?name=x"));
        await FhirAssert.FailsAsync(HttpStatusCode.NotFound, () => Client.HistoryAsync($"Condition/{Guid.NewGuid():D}"));
        await FhirAssert.FailsAsync(HttpStatusCode.BadRequest, () => Client.GetAsync("Patient/not_a_valid_id!"));
        await FhirAssert.FailsAsync(HttpStatusCode.BadRequest, () => Client.GetAsync("Patient/_history"));
        await FhirAssert.FailsAsync(HttpStatusCode.NotFound, () => Client.GetAsync($"Patient/{record.Id}/_history/zero"));

        await AssertOutcomeAsync(HttpMethod.Post, "Patient", HttpStatusCode.MethodNotAllowed);
        await AssertOutcomeAsync(HttpMethod.Delete, $"Patient/{record.Id}", HttpStatusCode.MethodNotAllowed);
        await AssertOutcomeAsync(HttpMethod.Get, "Patient/a/b/c/d", HttpStatusCode.NotFound);
        await AssertOutcomeAsync(HttpMethod.Get, $"Patient/{record.Id}", HttpStatusCode.NotAcceptable, accept: "application/fhir+xml");
        await AssertOutcomeAsync(HttpMethod.Get, $"Patient/{record.Id}?_format=xml", HttpStatusCode.NotAcceptable);
        await AssertOutcomeAsync(HttpMethod.Get, $"Patient/{record.Id}", HttpStatusCode.BadRequest, minPosition: "soon");
    }

    [Fact]
    public async Task GivenMinPositionHeader_WhenReadRightAfterAnAppend_ThenTheReadSeesTheWrite()
    {
        var record = await SeedAsync();
        var update = await Server.AppendWithoutWaitingAsync(record.PatientId, FhirApiServer.Metadata,
            new DemographicsUpdated(record.PatientId, record.Demographics with { Name = new PersonName("Reid", ["Olivia"]) }));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"Patient/{record.Id}");
        request.Headers.Add(RecordFhirApi.MinPositionHeader, update.LastLogPosition.ToString());
        using var response = await Server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var patient = FhirAssert.Valid(FhirJson.Deserialize<Patient>(await response.Content.ReadAsStringAsync()));
        Assert.Equal("Reid", patient.Name.Single().Family);

        var unreachable = new Chronicle.EventStore.LogPosition(long.MaxValue - 1, 1);
        var outcome = await AssertOutcomeAsync(HttpMethod.Get, $"Patient/{record.Id}", HttpStatusCode.ServiceUnavailable, minPosition: unreachable.ToString());
        Assert.Equal(OperationOutcome.IssueType.Timeout, outcome.Issue.Single().Code);
    }

    [Fact]
    public async Task GivenRecord_WhenEverythingIsAsked_ThenPatientAndEveryCurrentResourceAreReturned()
    {
        var record = await SeedAsync();
        await SeedAsync(new SampleRecord("9990005678", "Okafor"));

        var bundle = FhirAssert.Valid(await Everything(record, ""));
        var types = bundle.Entry.Select(e => e.Resource.TypeName).ToList();
        Assert.Single(types, "Patient");
        Assert.Equal(9, types.Count(t => t != "Provenance"));
        Assert.Equal(9, types.Count(t => t == "Provenance"));
        Assert.All(bundle.Entry, e => Assert.True(e.Resource is Patient p ? p.Id == record.Id : ReferencesPatient(e.Resource, record.Id)));

        var paged = FhirAssert.Valid(await Everything(record, "?_count=5"));
        var all = paged.Entry.Select(e => e.Resource.Id).ToList();
        while (paged.NextLink is not null)
        {
            paged = FhirAssert.Valid(await Client.ContinueAsync(paged));
            all.AddRange(paged!.Entry.Select(e => e.Resource.Id));
        }

        Assert.Equal(bundle.Entry.Select(e => e.Resource.Id), all);
    }

    [Fact]
    public async Task GivenLaterChanges_WhenEverythingIsAskedSinceOrAsAtAnEarlierMoment_ThenTheRecordIsAsItThenStood()
    {
        var record = await SeedAsync();
        var before = FhirAssert.Valid(await Everything(record, ""));
        await Task.Delay(5);
        var cut = DateTimeOffset.UtcNow;
        await Task.Delay(5);
        var weight = SampleRecord.WeightOn(record.Encounter, Consulted, 81);
        await Server.AppendAsync(record.PatientId,
            new DemographicsUpdated(record.PatientId, record.Demographics with { Name = new PersonName("Okafor", ["Olivia"]) }),
            new ProblemResolved(record.Problem, new DateOnly(2024, 6, 1)),
            weight);

        var asAtCut = FhirAssert.Valid(await Everything(record, $"?_at={Uri.EscapeDataString(cut.ToString("o"))}"));
        Assert.Equal(Json(before), Json(asAtCut));
        Assert.Equal("Smith", asAtCut.Entry.Select(e => e.Resource).OfType<Patient>().Single().Name.Single().Family);
        Assert.DoesNotContain(asAtCut.Entry, e => e.Resource.Id == weight.EntryId.ToString("D"));

        var since = FhirAssert.Valid(await Everything(record, $"?_since={Uri.EscapeDataString(cut.ToString("o"))}"));
        Assert.Equal(new[] { record.Id, $"{record.Problem:D}", weight.EntryId.ToString("D") }.Order(StringComparer.Ordinal),
            since.Entry.Where(e => e.Resource is not Provenance).Select(e => e.Resource.Id).Order(StringComparer.Ordinal));
        Assert.Equal("2", since.Entry.Select(e => e.Resource).OfType<Patient>().Single().Meta.VersionId);

        // As at now, the fold of the event stream gives exactly what the live projection serves.
        var live = FhirAssert.Valid(await Everything(record, ""));
        var now = FhirAssert.Valid(await Everything(record, $"?_at={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("o"))}"));
        Assert.Equal(Json(live), Json(now));

        await FhirAssert.FailsAsync(HttpStatusCode.NotFound, () => Everything(record, "?_at=2000-01-01"));
        await FhirAssert.FailsAsync(HttpStatusCode.NotFound, () => Client.GetAsync($"Patient/{Guid.NewGuid():D}/$everything"));
        await FhirAssert.FailsAsync(HttpStatusCode.BadRequest, () => Everything(record, "?_at=tomorrow"));
        await FhirAssert.FailsAsync(HttpStatusCode.BadRequest, () => Everything(record, "?_type=Medication"));
    }

    [Fact]
    public async Task GivenReservationStreams_WhenProjected_ThenTheyAreIgnored()
    {
        var record = await SeedAsync();
        var reservation = await Server.Store.AppendAsync("nhs-number-9990001234", Chronicle.EventStore.ExpectedVersion.Any,
            [RecordEventsJsonContext.CreateRegistry().ToEventData(Guid.NewGuid(), record.Registered, FhirApiServer.Metadata)]);
        await Server.ReadModel.WaitForAsync(reservation.LastLogPosition);

        var bundle = FhirAssert.Valid(await Client.SearchAsync<Patient>(["identifier=9990001234"]));
        Assert.Single(FhirAssert.Matches<Patient>(bundle));
    }

    [Fact]
    public async Task GivenLiveProjection_WhenRebuilt_ThenEveryResourceVersionIsByteIdentical()
    {
        var synthetic = new Chronicle.Record.Synthetic.SyntheticRecords(seed: 11, today: new DateOnly(2025, 1, 1));
        Chronicle.EventStore.AppendResult? last = null;
        foreach (var append in synthetic.Patients(4))
            last = await Server.AppendWithoutWaitingAsync(append.PatientId, append.Metadata, [.. append.Events]);
        var record = await SeedAsync();
        await Server.AppendAsync(record.PatientId, new EntryMarkedEnteredInError(record.Observation, "Wrong patient"));
        await Server.ReadModel.WaitForAsync(last!.LastLogPosition);

        var live = await DumpReadModelAsync();
        await Server.ReadModel.RebuildAsync();
        var rebuilt = await DumpReadModelAsync();

        Assert.True(live[RecordFhirTables.Resources].Count > 100, $"Only {live[RecordFhirTables.Resources].Count} versions were projected.");
        foreach (var table in new[] { RecordFhirTables.Tokens, RecordFhirTables.Dates, RecordFhirTables.Strings })
            Assert.True(live[table].Count > 10, $"Only {live[table].Count} rows in {table}.");
        Assert.Equal(live.Keys.Order(StringComparer.Ordinal), rebuilt.Keys.Order(StringComparer.Ordinal));
        foreach (var (table, rows) in live)
            Assert.True(rows.SequenceEqual(rebuilt[table]), $"The rebuilt {table} differs from the live one.");
    }

    /// <summary>
    /// Every table of the read model, row for row (see <see cref="DumpAsync"/>); of the checkpoints only where each
    /// consumer stands, not when it last wrote. The Record's outbox relay keeps its checkpoint in the same table and moves
    /// on by itself (it relays the audit entries of reads), so it is left out.
    /// </summary>
    private async Task<Dictionary<string, List<string>>> DumpReadModelAsync()
    {
        var relay = new Chronicle.Messaging.Publishing.OutboxRelayOptions().Name;
        var dump = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in await Server.ReadModels.ListTablesAsync())
            dump[table] = await DumpAsync(table == "projection_checkpoints" ? $"(select name, tx_id, position from projection_checkpoints where name <> '{relay}') as c" : table);
        return dump;
    }

    [Fact]
    public async Task GivenTheBatchedProjection_WhenItHasCaughtUp_ThenEveryTableMatchesTheOneStatementAtATimeReferenceRowForRow()
    {
        var synthetic = new Chronicle.Record.Synthetic.SyntheticRecords(seed: 23, today: new DateOnly(2025, 1, 1));
        foreach (var append in synthetic.Patients(6))
            await Server.AppendWithoutWaitingAsync(append.PatientId, append.Metadata, [.. append.Events]);
        var record = await SeedAsync();
        var asthma = Guid.NewGuid();
        // In one append (one batch) and across appends (batches): new versions of rows written in the same batch and before it.
        await Server.AppendAsync(record.PatientId,
            new ProblemAdded(asthma, record.Encounter, SampleRecord.Asthma, new DateOnly(1999, 1, 1), "active", null),
            new ProblemResolved(asthma, new DateOnly(2010, 1, 1)),
            new DemographicsUpdated(record.PatientId, record.Demographics with { Gender = "other" }),
            new EntryMarkedEnteredInError(asthma, "Wrong patient"));
        await Server.AppendAsync(record.PatientId, new EntryMarkedEnteredInError(record.Observation, "Wrong patient"));
        var last = await Server.AppendAsync(record.PatientId,
            new DemographicsUpdated(record.PatientId, record.Demographics with { Name = new PersonName("Reid", ["Olivia"]) }));

        await using var reference = new Chronicle.Projections.ProjectionRunner(Server.Store, Server.ReadModels, new ReferenceRecordFhirProjection(),
            new Chronicle.Projections.ProjectionRunnerOptions { BatchSize = 7 });
        await reference.StartAsync();
        await reference.WaitForAsync(last.LastLogPosition).WaitAsync(TimeSpan.FromSeconds(120));
        await Server.ReadModel.WaitForAsync(last.LastLogPosition);

        foreach (var table in new[] { RecordFhirTables.Resources, RecordFhirTables.Tokens, RecordFhirTables.Dates, RecordFhirTables.Strings })
        {
            var expected = await DumpAsync(ReferenceRecordFhirProjection.Prefix + table);
            var actual = await DumpAsync(table);
            Assert.True(expected.Count > 10, $"Only {expected.Count} rows in {table}.");
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>Every row of a table, every column as text, sorted: what the table holds, whatever order it was written in.</summary>
    private async Task<List<string>> DumpAsync(string table)
    {
        await using var connection = await Server.ReadModels.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"select * from {table}";
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i =>
                $"{reader.GetName(i)}={Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)}:{reader.GetFieldType(i).Name}")));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    private async Task<Bundle> Everything(SampleRecord record, string query) =>
        Assert.IsType<Bundle>(await Client.GetAsync($"Patient/{record.Id}/$everything{query}"));

    private static string Json(Bundle bundle) => string.Join("\n", bundle.Entry.Select(e => FhirJson.Serialize(e.Resource)));

    private static bool ReferencesPatient(Resource resource, string patientId) =>
        resource is Provenance p
            ? p.Target.Count == 1
            : FhirJson.Serialize(resource).Contains($"\"Patient/{patientId}\"", StringComparison.Ordinal);

    private async Task<OperationOutcome> AssertOutcomeAsync(HttpMethod method, string path, HttpStatusCode status,
        string? accept = null, string? minPosition = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (accept is not null)
            request.Headers.Accept.ParseAdd(accept);
        if (minPosition is not null)
            request.Headers.Add(RecordFhirApi.MinPositionHeader, minPosition);
        using var response = await Server.Http.SendAsync(request);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        return FhirAssert.Valid(FhirJson.Deserialize<OperationOutcome>(await response.Content.ReadAsStringAsync()));
    }
}

public sealed class SqliteFhirApiTests() : FhirApiTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresFhirApiTests() : FhirApiTests(StorageBackend.Postgres);
