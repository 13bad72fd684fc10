using Chronicle.Auditing;
using Chronicle.Contracts.Record.V1;
using Chronicle.Testing;
using Grpc.Core;
using static Chronicle.Record.Tests.Grpc.RecordRequests;

namespace Chronicle.Record.Tests.Grpc;

/// <summary>
/// <see cref="RecordServer"/> is the Record as Program.cs composes it, so what the executable enforces holds here too: a
/// server composed by hand without security or auditing fails these.
/// </summary>
public sealed class ComposedRecordServerTests : IAsyncLifetime
{
    private RecordServer _server = null!;

    public async Task InitializeAsync() => _server = await RecordServer.StartAsync(StorageBackend.Sqlite);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task GivenTheRecordServer_WhenACallCarriesNoToken_ThenItIsUnauthenticatedAndNothingIsStored()
    {
        var refusal = await Assert.ThrowsAsync<RpcException>(() => _server.Anonymous.RegisterPatientAsync(Registration()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, refusal.StatusCode);
        Assert.Empty(await _server.GlobalLogAsync());
    }

    [Fact]
    public async Task GivenTheRecordServer_WhenAnAuthorisedCallerReadsARecord_ThenTheReadIsInTheAuditTrailWithTheCallerAndThePatient()
    {
        var registered = await _server.Client.RegisterPatientAsync(Registration());

        await _server.Client.GetRecordAsync(new GetRecordRequest { PatientId = registered.PatientId });

        var read = Assert.Single(await _server.AuditEntriesAsync(), e => e.Action == AuditAction.Read);
        Assert.Equal(("record", registered.PatientId, 200, "G8123456", "A81001"), (read.Service, read.PatientId, read.Outcome, read.UserId, read.OrganisationOds));
    }
}
