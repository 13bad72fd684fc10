using System.Net;
using System.Text;
using System.Text.Json;
using Chronicle.Audit.Tests.EndToEnd;
using Chronicle.Auditing;
using Chronicle.Fhir;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Validation;
using Task = System.Threading.Tasks.Task;
using Chronicle.Testing;

namespace Chronicle.Audit.Tests.Service;

/// <summary>The FHIR AuditEvent API and the verify API of an Audit service in this process, through Firely's strict client.</summary>
public abstract class AuditFhirApiTests(TestStorages storage) : IAsyncLifetime
{
    private AuditServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await AuditServer.StartAsync(storage, "--Chronicle:Checkpoints:EveryEntries=3", "--Chronicle:Checkpoints:Interval=00:00:00.200");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GivenAnEntryOfEveryKind_WhenRead_ThenEachIsAValidAuditEventWithItsCodes()
    {
        var patient = Guid.NewGuid().ToString();
        var byAction = Enum.GetValues<AuditAction>().ToDictionary(a => a, a => Entries.Read(patient) with { Action = a });
        var breakGlass = Entries.Read(patient) with { BreakGlass = true, BreakGlassReason = "Unconscious in A&E" };
        var failed = Entries.Read(patient, outcome: 500);
        var search = Entries.Read(patient) with { Action = AuditAction.Search, ResourceType = "Observation", ResourceId = null, PatientId = null, Query = "?code=27113001" };
        var clientOnly = Entries.Read(patient) with { UserId = null, Role = null, ClientId = "pharmacy-module", OnBehalfOf = "G8123456" };
        await _server.IngestAsync([.. byAction.Values, breakGlass, failed, search, clientOnly]);
        using var fhir = _server.Fhir();

        var codes = new List<string>();
        foreach (var (action, entry) in byAction)
        {
            var auditEvent = await fhir.ReadAsync<AuditEvent>($"AuditEvent/{entry.EntryId}");
            Assert.Empty(auditEvent.Validate());
            codes.Add($"{action}:{auditEvent.Action}:{auditEvent.Subtype[0].Code}:{auditEvent.Subtype[1].Code}");
        }

        var glass = await fhir.ReadAsync<AuditEvent>($"AuditEvent/{breakGlass.EntryId}");
        var error = await fhir.ReadAsync<AuditEvent>($"AuditEvent/{failed.EntryId}");
        var query = await fhir.ReadAsync<AuditEvent>($"AuditEvent/{search.EntryId}");
        var client = await fhir.ReadAsync<AuditEvent>($"AuditEvent/{clientOnly.EntryId}");

        Assert.Equal([
            "Read:R:read:Read", "VRead:R:vread:VRead", "History:R:history-instance:History", "Search:E:search-type:Search",
            "Everything:E:operation:Everything", "Create:C:create:Create", "Update:U:update:Update", "EnteredInError:U:update:EnteredInError",
            "Replay:E:operation:Replay", "Verify:E:operation:Verify", "Summary:E:operation:Summary",
        ], codes);
        Assert.Equal(("BTG", "Unconscious in A&E"), (glass.PurposeOfEvent.Single().Coding.Single().Code, glass.PurposeOfEvent.Single().Text));
        Assert.Equal("BTG", glass.Agent[0].PurposeOfUse.Single().Coding.Single().Code);
        Assert.Equal((AuditEvent.AuditEventOutcome.N8, "HTTP 500"), (error.Outcome, error.OutcomeDesc));
        var searched = Assert.Single(query.Entity);
        Assert.Equal(("?code=27113001", "24"), (Encoding.UTF8.GetString(searched.Query), searched.Role.Code));
        Assert.Equal(("urn:chronicle:client-id", "pharmacy-module", true), (client.Agent[0].Who.Identifier.System, client.Agent[0].Who.Identifier.Value, client.Agent[0].Requestor));
        Assert.Contains(client.Agent, a => a.Who.Identifier.Value == "G8123456" && a.Requestor == false);
        Assert.All(new[] { glass, error, query, client }, e => Assert.Empty(e.Validate()));
    }

    [Fact]
    public async Task GivenEntriesByEveryKindOfAgent_WhenRead_ThenTheRequesterIsTypedByWhatItIs()
    {
        var patient = Guid.NewGuid().ToString();
        var staff = Entries.Read(patient) with { AgentKind = "staff" };
        var module = Entries.Read(patient, userId: "pharmacy-module") with
        {
            ClientId = "pharmacy-module", Role = null, OrganisationOds = null, AgentKind = "system", AccessGrounds = "module-enabled-at-practice",
        };
        var moduleBeforeKinds = module with { EntryId = Guid.CreateVersion7(), AgentKind = null };
        var self = Entries.Read(patient, userId: "acc-1") with
        {
            ClientId = "nhs-app", Role = null, OrganisationOds = null, AgentKind = "patient", AccessGrounds = "patient-self",
        };
        var proxy = self with { EntryId = Guid.CreateVersion7(), UserId = "acc-2", AgentKind = "related-person", OnBehalfOf = patient, AccessGrounds = null };
        await _server.IngestAsync([staff, module, moduleBeforeKinds, self, proxy]);
        using var fhir = _server.Fhir();

        async Task<AuditEvent.AgentComponent> Requester(AuditEntry entry)
        {
            var read = await fhir.ReadAsync<AuditEvent>($"AuditEvent/{entry.EntryId}");
            Assert.Empty(read.Validate());
            return Assert.Single(read.Agent, a => a.Requestor == true);
        }

        var (asStaff, asModule, asOldModule, asSelf, asProxy) =
            (await Requester(staff), await Requester(module), await Requester(moduleBeforeKinds), await Requester(self), await Requester(proxy));

        Assert.Equal(("Practitioner", "humanuser", "G8123456"), (asStaff.Who.Type, asStaff.Type.Coding[0].Code, asStaff.Who.Identifier.Value));
        foreach (var device in new[] { asModule, asOldModule })
        {
            Assert.Equal(("Device", "110150", "pharmacy-module"), (device.Who.Type, device.Type.Coding[0].Code, device.Who.Identifier.Value));
            Assert.Null(device.AltId);
        }

        Assert.Equal(("Patient", $"Patient/{patient}", "humanuser"), (asSelf.Who.Type, asSelf.Who.Reference, asSelf.Type.Coding[0].Code));
        Assert.Equal(("RelatedPerson", null, "acc-2"), (asProxy.Who.Type, asProxy.Who.Reference, asProxy.Who.Identifier.Value));
    }

    [Fact]
    public async Task GivenEntries_WhenSearchedByEachParameter_ThenExactlyTheMatchingOnesAreReturned()
    {
        var (p1, p2) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var day = new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero);
        var e0 = Entries.Read(p1, "u1", day) with { AccessGrounds = "registered-practice" };
        var e1 = Entries.Read(p1, "u2", day.AddDays(1), outcome: 403) with
        {
            Action = AuditAction.Search, OrganisationOds = "B82002", ResourceType = "Observation", ResourceId = null, Query = $"?patient={p1}",
        };
        var e2 = Entries.Read(p2, "u1", day.AddDays(2)) with
        {
            Action = AuditAction.Update, Service = "prescribing", ResourceType = "MedicationRequest", ResourceId = "m1", AccessGrounds = "break-glass",
        };
        var e3 = Entries.Read(p2, "u3", day.AddDays(3), outcome: 500) with { Action = AuditAction.Everything };
        await _server.IngestAsync([e0, e1, e2, e3]);
        var names = new Dictionary<Guid, string> { [e0.EntryId] = "e0", [e1.EntryId] = "e1", [e2.EntryId] = "e2", [e3.EntryId] = "e3" };
        using var fhir = _server.Fhir();

        async Task<string> Found(string query)
        {
            var bundle = await fhir.SearchAsync<AuditEvent>([.. query.Split('&'), "site=record,prescribing"]);
            return string.Join(",", bundle!.Entry.Select(e => names[Guid.Parse(e.Resource.Id)]));
        }

        Assert.Equal("e0,e1", await Found($"patient={p1}"));
        Assert.Equal("e2,e3", await Found($"patient=Patient/{p2}"));
        Assert.Equal("e0,e2", await Found("agent=u1"));
        Assert.Equal("e2", await Found("agent=Practitioner/u1&date=ge2025-01-02"));
        Assert.Equal("e1", await Found("organization=B82002"));
        Assert.Equal("e0,e2,e3", await Found("organization=https://fhir.nhs.uk/Id/ods-organization-code|A81001"));
        Assert.Equal("e1,e2,e3", await Found("date=ge2025-01-02"));
        Assert.Equal("e0", await Found("date=lt2025-01-02"));
        Assert.Equal("e2", await Found("date=2025-01-03"));
        Assert.Equal("e0,e1,e3", await Found("date=ne2025-01-03"));
        Assert.Equal("e1,e2", await Found("date=gt2025-01-01T10:00:00Z&date=le2025-01-03T10:00:00Z"));
        Assert.Equal("e2", await Found("action=U"));
        Assert.Equal("e1,e3", await Found("action=E"));
        Assert.Equal("e0,e2", await Found("action=R,U&outcome=0"));
        Assert.Equal("e1", await Found("subtype=search-type"));
        Assert.Equal("e3", await Found("subtype=http://hl7.org/fhir/restful-interaction|operation"));
        Assert.Equal("e3", await Found("subtype=Everything"));
        Assert.Equal("e1", await Found("outcome=4"));
        Assert.Equal("e3", await Found("outcome=8"));
        Assert.Equal("e2", await Found("site=prescribing"));
        Assert.Equal("e2", await Found("entity=MedicationRequest/m1"));
        Assert.Equal("e0,e1", await Found($"entity=Patient/{p1}"));
        Assert.Equal("e3", await Found($"_id={e3.EntryId}"));
        Assert.Equal("e0,e1", await Found("agent-role=GP&date=le2025-01-02"));
        Assert.Equal("e2", await Found("policy=urn:chronicle:access-grounds:break-glass"));
        Assert.Equal("e0,e2", await Found("policy=urn:chronicle:access-grounds:registered-practice,urn:chronicle:access-grounds:break-glass"));
        Assert.Equal("", await Found("policy=break-glass"));
    }

    [Fact]
    public async Task GivenMoreEntriesThanAPage_WhenFollowingNextLinks_ThenEveryEntryComesOnceInChainOrder()
    {
        var patient = Guid.NewGuid().ToString();
        var entries = Enumerable.Range(0, 25).Select(_ => Entries.Read(patient)).ToList();
        await _server.IngestAsync(entries);
        using var fhir = _server.Fhir();

        var seen = new List<string>();
        var pages = 0;
        for (var page = await fhir.SearchAsync<AuditEvent>([$"patient={patient}", "site=record", "_count=10"]); page is not null; page = await fhir.ContinueAsync(page))
        {
            pages++;
            seen.AddRange(page.Entry.Select(e => e.Resource.Id));
        }

        Assert.Equal(3, pages);
        Assert.Equal(entries.Select(e => e.EntryId.ToString()), seen);
    }

    [Fact]
    public async Task GivenRequestsTheApiCannotAnswer_WhenSent_ThenOperationOutcomesWithTheRightStatus()
    {
        using var http = _server.Http();
        async Task<(HttpStatusCode, OperationOutcome.IssueType?)> Ask(HttpMethod method, string url)
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, url));
            var outcome = FhirJson.Deserialize<OperationOutcome>(await response.Content.ReadAsStringAsync());
            return (response.StatusCode, outcome.Issue.Single().Code);
        }

        Assert.Equal((HttpStatusCode.BadRequest, OperationOutcome.IssueType.NotSupported), await Ask(HttpMethod.Get, "fhir/AuditEvent?colour=red"));
        Assert.Equal((HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid), await Ask(HttpMethod.Get, "fhir/AuditEvent?date=2025-13-01"));
        Assert.Equal((HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid), await Ask(HttpMethod.Get, "fhir/AuditEvent?_cursor=garbage"));
        Assert.Equal((HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound), await Ask(HttpMethod.Get, $"fhir/AuditEvent/{Guid.NewGuid()}"));
        Assert.Equal((HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound), await Ask(HttpMethod.Get, "fhir/AuditEvent/not-an-entry"));
        Assert.Equal((HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound), await Ask(HttpMethod.Get, "fhir/Patient/1"));
        Assert.Equal((HttpStatusCode.MethodNotAllowed, OperationOutcome.IssueType.NotSupported), await Ask(HttpMethod.Post, "fhir/AuditEvent"));
    }

    [Fact]
    public async Task GivenTheMetadataEndpoint_WhenRead_ThenTheCapabilityStatementDescribesAuditEventReadAndSearch()
    {
        using var fhir = _server.Fhir("anyone", "GP");

        var capabilities = await fhir.CapabilityStatementAsync();

        var auditEvent = capabilities!.Rest.Single().Resource.First();
        Assert.Equal(["AuditEvent", "StructureDefinition", "SearchParameter", "OperationDefinition"], capabilities.Rest.Single().Resource.Select(r => r.Type));
        Assert.Equal(("AuditEvent", CapabilityStatement.ResourceVersionPolicy.NoVersion, false),
            (auditEvent.Type, auditEvent.Versioning, auditEvent.ReadHistory)); // it serves no vread or history, so claims none
        Assert.Equal([CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.SearchType],
            auditEvent.Interaction.Select(i => i.Code!.Value));
        Assert.Superset(new HashSet<string>(["patient", "agent", "entity", "date", "action", "subtype", "outcome", "site", "organization"]),
            auditEvent.SearchParam.Select(p => p.Name).ToHashSet());
        Assert.Empty(capabilities.Validate());
    }

    [Fact]
    public async Task GivenChainedEntries_WhenTheServiceRuns_ThenCheckpointsAreSignedOnScheduleAndTheVerifyApiChecksTheWholeChainOrARange()
    {
        await _server.IngestAsync(Enumerable.Range(0, 5).Select(_ => Entries.Read(Guid.NewGuid().ToString())));
        using var http = _server.Http();
        JsonElement whole;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        do
        {
            await Task.Delay(100);
            whole = JsonDocument.Parse(await http.GetStringAsync("audit/verify")).RootElement;
        }
        while (whole.GetProperty("checkpointsChecked").GetInt32() == 0 && DateTime.UtcNow < deadline);
        var range = JsonDocument.Parse(await http.GetStringAsync("audit/verify?from=2&to=4")).RootElement;
        using var badRange = await http.GetAsync("audit/verify?from=4&to=2");

        Assert.True(whole.GetProperty("intact").GetBoolean(), whole.GetProperty("summary").GetString());
        Assert.True(whole.GetProperty("checkpointsChecked").GetInt32() >= 1, whole.GetProperty("summary").GetString());
        Assert.Equal((true, 3, 2, 4), (range.GetProperty("intact").GetBoolean(), range.GetProperty("linksChecked").GetInt32(),
            range.GetProperty("firstSeq").GetInt32(), range.GetProperty("lastSeq").GetInt32()));
        Assert.Equal(HttpStatusCode.BadRequest, badRange.StatusCode);
    }
}

public sealed class SqliteAuditFhirApiTests(SqliteStorages storage) : AuditFhirApiTests(storage), IClassFixture<SqliteStorages>;

[Collection(SharedPostgres.Collection)]
public sealed class PostgresAuditFhirApiTests(PostgresStorages storage) : AuditFhirApiTests(storage), IClassFixture<PostgresStorages>;
