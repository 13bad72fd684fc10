using Chronicle.Testing;
using Chronicle.Audit.Host;
using Chronicle.Audit.Ingestion;
using Chronicle.Audit.Queries;
using Chronicle.Audit.Tests.EndToEnd;
using Chronicle.Auditing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Audit.Tests.Service;

/// <summary>The Audit service in this process, composed and started exactly as the executable does, on free loopback ports.</summary>
public sealed class AuditServer : IAsyncDisposable
{
    private readonly RunningAuditHost _host;

    private AuditServer(RunningAuditHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public Uri HttpBase => _host.HttpBase;

    public Uri GrpcAddress => _host.GrpcAddress;

    public AuditHostSettings Settings => _host.Settings;

    public static async Task<AuditServer> StartAsync(TestStorages storage, params string[] settings) =>
        new(await AuditHost.StartAsync([
            "--Chronicle:Ports:Http=0", "--Chronicle:Ports:Grpc=0", "--Chronicle:Transport=direct", "--Chronicle:AppId=audit",
            $"--{TestAppApiToken.Setting}={TestAppApiToken.Value}",
            // The service's own behaviour, callers stated in headers; tokens are tested in Chronicle.Identity.Tests.
            "--Chronicle:Security:Disabled=true",
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Chronicle.Messaging=Critical",
            .. TestEmitters.Settings(), .. await storage.ArgumentsAsync("audit"), .. settings,
        ], AuditService.Compose));

    /// <summary>
    /// Chains the entries, signed with the Record's test key, as deliveries would (all at once, so they share appends),
    /// then waits for the query tables.
    /// </summary>
    public async Task IngestAsync(params IEnumerable<AuditEntry> entries)
    {
        var ingestor = Services.GetRequiredService<AuditIngestor>();
        await Task.WhenAll(entries.Select(e => ingestor.AppendAsync(TestEmitters.Signed(e))));
        await CaughtUpAsync();
    }

    public async Task CaughtUpAsync()
    {
        var queries = Services.GetRequiredService<AuditQueryReadModel>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await queries.GetLagAsync()).EventsBehind > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(10);
    }

    public FhirClient Fhir(string userId = "AUD0001", string role = "auditor") => new(new Uri(HttpBase, "fhir/"), Http(userId, role),
        new FhirClientSettings
        {
            PreferredFormat = ResourceFormat.Json,
            VerifyFhirVersion = false,
            SerializationEngine = FhirSerializationEngineFactory.Strict(ModelInfo.ModelInspector),
        });

    public HttpClient Http(string? userId = "AUD0001", string? role = "auditor")
    {
        var http = new HttpClient { BaseAddress = HttpBase };
        if (userId is not null)
            http.DefaultRequestHeaders.Add("x-user-id", userId);
        if (role is not null)
            http.DefaultRequestHeaders.Add("x-user-role", role);
        return http;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}

/// <summary>Audit entries as services emit them.</summary>
public static class Entries
{
    public static AuditEntry Read(string patientId, string userId = "G8123456", DateTimeOffset? at = null, int outcome = 200) => new()
    {
        EntryId = Guid.CreateVersion7(),
        OccurredAt = at ?? DateTimeOffset.UtcNow,
        Service = "record",
        UserId = userId,
        Role = "GP",
        OrganisationOds = "A81001",
        ClientId = "gp-desktop",
        PatientId = patientId,
        Action = AuditAction.Read,
        ResourceType = "Patient",
        ResourceId = patientId,
        Outcome = outcome,
        CorrelationId = "corr-1",
    };
}
