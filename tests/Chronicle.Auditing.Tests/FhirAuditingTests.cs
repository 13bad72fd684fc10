using System.Net;
using System.Text.Json;
using Chronicle.EventStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Chronicle.Contracts;
using Chronicle.Testing;

namespace Chronicle.Auditing.Tests;

/// <summary>
/// The audit middleware in a real Kestrel server over a real SQLite event store: every FHIR interaction that touches
/// patient data leaves an entry that is already durable when the response arrives, refusals and failures included.
/// </summary>
public sealed class FhirAuditingTests : IAsyncLifetime
{
    private TestStorage _storage = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _storage = await TestStorage.CreateAsync(StorageBackend.Sqlite, new() { Name = "auditing" });
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSingleton<IEventStore>(_storage.Events);
        builder.Services.AddAuditing("record");
        _app = builder.Build();
        // Declared as the Record's FHIR endpoints are: metadata touches no patient, the rest by their interaction.
        _app.MapGet("/fhir/metadata", () => Results.Ok()).NoPatientData("The CapabilityStatement.");
        _app.MapGet("/fhir/Patient/{id}", (string id) => id == "refused" ? Results.StatusCode(403) : Results.Ok(new { id })).Audited(AuditAction.Read, "Patient");
        _app.MapGet("/fhir/Observation/{id}", (string id, HttpContext context) =>
        {
            context.AuditPatient("patient-of-" + id);
            return Results.Ok();
        }).Audited(AuditAction.Read, "Observation");
        _app.MapGet("/fhir/Observation", () => Results.Ok()).Audited(AuditAction.Search, "Observation");
        _app.MapGet("/fhir/Condition/{id}", (string id) => id == "boom"
            ? throw new InvalidOperationException("the handler failed")
            : Results.Ok()).Audited(AuditAction.Read, "Condition");
        _app.MapGet("/fhir/Patient/{id}/$everything", (string id, HttpContext context) =>
        {
            context.AuditBreakGlass("Unconscious patient in A&E");
            return Results.Ok();
        }).Audited(AuditAction.Everything, "Patient");
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };
        _http.DefaultRequestHeaders.Add("x-user-id", "G8123456");
        _http.DefaultRequestHeaders.Add("x-user-role", "GP");
        _http.DefaultRequestHeaders.Add("x-organisation-ods", "A81001");
        _http.DefaultRequestHeaders.Add("x-client-id", "gp-desktop");
    }

    [Fact]
    public async Task GivenARead_WhenTheResponseArrives_ThenItsEntryIsAlreadyDurableWithEveryField()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/fhir/Patient/p-1");
        request.Headers.Add("x-correlation-id", "corr-42");
        request.Headers.Add("x-on-behalf-of", "patient-9");
        using var response = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var entry = Assert.Single(await ReadOutboxAsync());
        Assert.Equal("record", entry.Service);
        Assert.Equal(("G8123456", "GP", "A81001", "gp-desktop", "patient-9"), (entry.UserId, entry.Role, entry.OrganisationOds, entry.ClientId, entry.OnBehalfOf));
        Assert.Equal((AuditAction.Read, "Patient", "p-1", "p-1"), (entry.Action, entry.ResourceType, entry.ResourceId, entry.PatientId));
        Assert.Equal(200, entry.Outcome);
        Assert.Equal("corr-42", entry.CorrelationId);
        Assert.False(entry.BreakGlass);
        Assert.InRange(entry.OccurredAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task GivenRefusedFailedAndSearchRequests_WhenAnswered_ThenEachIsAuditedWithItsOutcome()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await _http.GetAsync("/fhir/Patient/refused")).StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await _http.GetAsync("/fhir/Condition/boom")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/fhir/Observation?patient=Patient/p-7&code=http://snomed.info/sct|75367002")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/fhir/Observation/o-3")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/fhir/Patient/p-8/$everything?_since=2026-01-01")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/fhir/metadata")).StatusCode);

        var entries = await ReadOutboxAsync();
        Assert.Equal(5, entries.Count);
        Assert.Equal((AuditAction.Read, 403, "refused"), (entries[0].Action, entries[0].Outcome, entries[0].PatientId));
        Assert.Equal((AuditAction.Read, 500, "Condition"), (entries[1].Action, entries[1].Outcome, entries[1].ResourceType));
        Assert.Equal((AuditAction.Search, "p-7", "?patient=Patient/p-7&code=http://snomed.info/sct%7C75367002"),
            (entries[2].Action, entries[2].PatientId, entries[2].Query));
        Assert.Equal((AuditAction.Read, "patient-of-o-3"), (entries[3].Action, entries[3].PatientId));
        Assert.Equal((AuditAction.Everything, "p-8", true, "Unconscious patient in A&E"),
            (entries[4].Action, entries[4].PatientId, entries[4].BreakGlass, entries[4].BreakGlassReason));
    }

    [Fact]
    public async Task GivenManyConcurrentReads_WhenAnswered_ThenEveryOneIsAuditedOnce()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => _http.GetAsync($"/fhir/Patient/p-{i}")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        var entries = await ReadOutboxAsync();
        Assert.Equal(64, entries.Count);
        Assert.Equal(64, entries.Select(e => e.EntryId).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 64).Select(i => $"p-{i}").Order(), entries.Select(e => e.PatientId!).Order());
    }

    [Theory]
    [InlineData("GET", "/fhir/Patient/p1", AuditAction.Read, "Patient", "p1", "p1")]
    [InlineData("GET", "/fhir/Patient/p1/_history", AuditAction.History, "Patient", "p1", "p1")]
    [InlineData("GET", "/fhir/Patient/p1/_history/3", AuditAction.VRead, "Patient", "p1", "p1")]
    [InlineData("GET", "/fhir/Patient/p1/$everything", AuditAction.Everything, "Patient", "p1", "p1")]
    [InlineData("GET", "/fhir/Patient?_id=p2", AuditAction.Search, "Patient", null, "p2")]
    [InlineData("GET", "/fhir/Condition?subject=p3", AuditAction.Search, "Condition", null, "p3")]
    [InlineData("GET", "/fhir/Condition?_id=c1", AuditAction.Search, "Condition", null, null)]
    [InlineData("GET", "/fhir/Observation/_history", AuditAction.History, "Observation", null, null)]
    [InlineData("POST", "/fhir/Observation", AuditAction.Create, "Observation", null, null)]
    [InlineData("POST", "/fhir/Observation/_search?patient=p4", AuditAction.Search, "Observation", null, "p4")]
    [InlineData("PUT", "/fhir/Observation/o1", AuditAction.Update, "Observation", "o1", null)]
    public void GivenAFhirRequest_WhenClassified_ThenItGetsItsActionAndResourceType(string method, string url, AuditAction action, string type, string? id, string? patient)
    {
        var context = new DefaultHttpContext();
        var uri = new Uri("http://localhost" + url);
        context.Request.Method = method;
        context.Request.Path = uri.AbsolutePath;
        context.Request.QueryString = new QueryString(uri.Query);

        Assert.True(FhirAuditClassifier.TryClassify(context.Request, "/fhir", out var target));
        Assert.Equal(new FhirAuditTarget(action, type, id, patient), target);
    }

    [Theory]
    [InlineData("/fhir/metadata")]
    [InlineData("/fhir")]
    [InlineData("/healthz")]
    public void GivenARequestThatTouchesNoPatientData_WhenAnswered_ThenItIsNotAudited(string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        Assert.False(FhirAuditClassifier.TryClassify(context.Request, "/fhir", out _));
    }

    [Fact]
    public void GivenAnEntry_WhenWrittenInCanonicalFormAndReadBack_ThenItRoundTripsByteForByte()
    {
        var entry = new AuditEntry
        {
            EntryId = Guid.CreateVersion7(), OccurredAt = new DateTimeOffset(2026, 11, 25, 9, 30, 1, 123, TimeSpan.FromHours(1)),
            Service = "record", Action = AuditAction.Everything, Outcome = 200, PatientId = "p\"1", BreakGlass = true, BreakGlassReason = "é",
        };

        var bytes = AuditCanonicalForm.ToBytes(entry);
        using var document = JsonDocument.Parse(bytes);
        var read = AuditCanonicalForm.Read(document.RootElement);

        Assert.Equal(entry with { OccurredAt = entry.OccurredAt.ToUniversalTime() }, read);
        Assert.Equal(bytes, AuditCanonicalForm.ToBytes(read));
        Assert.Contains("\"occurredAt\":\"2026-11-25T08:30:01.1230000Z\"", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => AuditCanonicalForm.Read(JsonDocument.Parse("""{"entryId":"x"}""").RootElement));
    }

    private async Task<List<AuditEntry>> ReadOutboxAsync()
    {
        var events = await _storage.Events.ReadStreamAsync(EventStoreAuditTrail.OutboxStream, StreamReadOptions.Forwards);
        return events.Select(EventStoreAuditTrail.Read).ToList();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _storage.DisposeAsync();
    }
}
