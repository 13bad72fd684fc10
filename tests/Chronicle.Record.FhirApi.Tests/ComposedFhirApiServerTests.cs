using System.Net;
using Chronicle.Auditing;
using Chronicle.Fhir;
using Chronicle.Testing;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// <see cref="FhirApiServer"/> is the Record as Program.cs composes it, so what the executable enforces holds here too: a
/// server composed by hand without security or auditing fails these.
/// </summary>
public sealed class ComposedFhirApiServerTests : IAsyncLifetime
{
    private readonly SampleRecord _record = new();
    private FhirApiServer? _server;

    private FhirApiServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await FhirApiServer.StartAsync(await TestStorage.ReserveAsync(StorageBackend.Sqlite, FhirApiServer.Storage));
        await Server.AppendAsync(_record.PatientId, [_record.Registered, .. _record.Consultation(SampleRecord.Consulted)]);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    [Fact]
    public async Task GivenTheFhirApiServer_WhenAPatientIsReadWithoutAToken_ThenItAnswers401WithAnOperationOutcome()
    {
        using var anonymous = new HttpClient();

        using var response = await anonymous.GetAsync(new Uri(Server.FhirBase.AbsoluteUri + $"/Patient/{_record.Id}"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotEmpty(FhirJson.Deserialize<OperationOutcome>(await response.Content.ReadAsStringAsync()).Issue);
    }

    [Fact]
    public async Task GivenTheFhirApiServer_WhenAnAuthorisedCallerReadsAPatient_ThenTheReadIsInTheAuditTrailWithThePatient()
    {
        using var response = await Server.Http.GetAsync($"Patient/{_record.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var read = Assert.Single(await Server.AuditEntriesAsync(), e => e.Action == AuditAction.Read);
        Assert.Equal(("record", "Patient", _record.Id, 200, "test-module"), (read.Service, read.ResourceType, read.PatientId, read.Outcome, read.ClientId));
    }
}
