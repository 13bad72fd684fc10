using System.Text.Json;
using Chronicle.Testing;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Fhir.Tests;

/// <summary>
/// Kestrel's own refusals carry a body that says why on the Record as Program.cs composes it, not only on a listener set up
/// by hand (<see cref="ConnectionErrorBodiesTests"/>): a Record whose listeners left the bodies out would fail here.
/// </summary>
public sealed class RecordConnectionErrorBodiesTests : IAsyncLifetime
{
    private TestStorage? _storage;
    private ComposedRecord? _record;

    private Uri Server => _record!.HttpBase;

    public async Task InitializeAsync()
    {
        _storage = await TestStorage.ReserveAsync(StorageBackend.Sqlite, new() { Name = "record-connection-errors" });
        _record = await ComposedRecord.StartAsync(_storage);
    }

    public async Task DisposeAsync()
    {
        if (_record is not null)
            await _record.DisposeAsync();
        if (_storage is not null)
            await _storage.DisposeAsync();
    }

    [Fact]
    public async Task GivenTheRecordAsComposed_WhenAFhirPathHoldsANul_ThenKestrelsRefusalIsA400OperationOutcome()
    {
        var response = Assert.Single(RawHttp.Split(await RawHttp.GetAsync(Server, "/fhir/Patient/%00")));

        Assert.Equal(400, response.Status);
        Assert.StartsWith("application/fhir+json", response.Headers["content-type"], StringComparison.Ordinal);
        var issue = Assert.Single(FhirJson.Deserialize<OperationOutcome>(response.Body).Issue);
        Assert.Contains("%00", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheRecordAsComposed_WhenAPathOutsideFhirHoldsANul_ThenTheRefusalIsProblemDetails()
    {
        var response = Assert.Single(RawHttp.Split(await RawHttp.GetAsync(Server, "/%00")));

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.Headers["content-type"]);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Contains("%00", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenTheRecordAsComposed_WhenAHeaderIsMalformed_ThenTheRefusalHasABody()
    {
        var response = Assert.Single(RawHttp.Split(await RawHttp.ExchangeAsync(Server,
            $"GET /fhir/metadata HTTP/1.1\r\nHost: {Server.Authority}\r\nBad Header\r\n\r\n")));

        Assert.Equal(400, response.Status);
        Assert.Single(FhirJson.Deserialize<OperationOutcome>(response.Body).Issue);
    }
}
