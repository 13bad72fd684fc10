using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Chronicle.Testing;
using Grpc.Net.Client;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Audit.Tests.EndToEnd;

/// <summary>Where the Record and the Audit service keep their data: SQLite folders or PostgreSQL databases.</summary>
public static class PlatformStorage
{
    /// <summary>
    /// Settings (as arguments) that point a service at its own fresh storage; on PostgreSQL the files a service keeps
    /// beside its database (signing key, broker queue) go in the storage's folder.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ArgumentsAsync(this TestStorages storages, string service) =>
        (await storages.ReserveAsync(new() { Name = service })).HostArguments(service == "record" ? "Record" : "Audit");
}

/// <summary>
/// The built Record and Audit executables as child processes on loopback, joined by the direct transport: the Record
/// publishes its audit entries to the Audit service's app callback, the Audit service replays from the Record's gRPC.
/// Both gRPC ports are chosen up front so each can be told where the other is, and the Audit service can be stopped and
/// started again on the same port and data while the Record runs. As the launcher does, each service gets its own audit
/// signing key (made once, in the platform's folder) and the Audit service the Record's public key.
/// </summary>
public sealed class ChroniclePlatform : IAsyncDisposable
{
    public const string Auditor = "AUD0001";

    private static readonly string RecordDll = HostPath("RecordHostPath");
    public static readonly string AuditDll = HostPath("AuditHostPath");

    private readonly string _folder = Directory.CreateTempSubdirectory("chronicle-platform-").FullName;
    private readonly int _recordGrpcPort = ServiceAnnouncements.FreeLoopbackPort();
    private readonly int _auditGrpcPort = ServiceAnnouncements.FreeLoopbackPort();
    private readonly IReadOnlyList<string> _recordStorage;
    private readonly IReadOnlyList<string> _auditStorage;
    private readonly IReadOnlyList<string> _recordSettings;

    private ChroniclePlatform(IReadOnlyList<string> recordStorage, IReadOnlyList<string> auditStorage, IReadOnlyList<string> recordSettings)
    {
        _recordStorage = recordStorage;
        _auditStorage = auditStorage;
        _recordSettings = recordSettings;
        foreach (var service in new[] { "record", "audit" })
            Chronicle.Auditing.AuditSigningKey.LoadOrCreate(SigningKeyPath(service)).Dispose();
    }

    /// <summary>The service's audit signing key; its public half is beside it (<c>.pub.pem</c>).</summary>
    public string SigningKeyPath(string service) => Path.Combine(_folder, "audit-signing-keys", $"{service}.pem");

    public ServiceProcess? Record { get; private set; }
    public ServiceProcess? Audit { get; private set; }

    public Uri RecordFhir => new(Record!["fhir"] + "/");
    public Uri AuditHttp => Audit!["http"];

    /// <summary>Starts the Audit service, then the Record. <paramref name="recordSettings"/> adds to the Record's configuration.</summary>
    public static async Task<ChroniclePlatform> StartAsync(TestStorages storage, params string[] recordSettings)
    {
        var platform = new ChroniclePlatform(await storage.ArgumentsAsync("record"), await storage.ArgumentsAsync("audit"), recordSettings);
        try
        {
            await platform.StartAuditAsync();
            await platform.StartRecordAsync();
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the Record on its gRPC port and storage (again, after <see cref="KillRecordAsync"/>); its FHIR port is new each time.</summary>
    public async Task StartRecordAsync() =>
        Record = await ServiceProcess.StartAsync(RecordDll, [
            "serve", "--Chronicle:Ports:Fhir=0", $"--Chronicle:Ports:Grpc={_recordGrpcPort}",
            $"--Chronicle:Apps:audit:Grpc=http://127.0.0.1:{_auditGrpcPort}",
            "--Chronicle:Direct:MinRetryDelay=00:00:00.020", "--Chronicle:Direct:MaxRetryDelay=00:00:00.500",
            // About delivery, the chain and replay, with callers stated in headers; tokens are tested in Chronicle.Identity.Tests.
            "--Chronicle:Security:Disabled=true",
            $"--Chronicle:Auditing:SigningKey={SigningKeyPath("record")}",
            .. _recordStorage, .. _recordSettings,
        ], _folder, new Dictionary<string, string>(), ServiceAnnouncements.Record);

    /// <summary>Crashes the Record: killed (SIGKILL) with no shutdown, so nothing is flushed or handed on.</summary>
    public async Task KillRecordAsync()
    {
        await Record!.DisposeAsync();
        Record = null;
    }

    public async Task StartAuditAsync() =>
        Audit = await ServiceProcess.StartAsync(AuditDll, [
            "serve", "--Chronicle:Ports:Http=0", $"--Chronicle:Ports:Grpc={_auditGrpcPort}",
            $"--Chronicle:Apps:record:Grpc=http://127.0.0.1:{_recordGrpcPort}", "--Chronicle:Checkpoints:Interval=00:00:01",
            "--Chronicle:Security:Disabled=true", // as for the Record above
            $"--Chronicle:Auditing:SigningKey={SigningKeyPath("audit")}",
            $"--Chronicle:Audit:Emitters:record:PublicKeys:0={Chronicle.Auditing.AuditSigningKey.PublicKeyPathFor(SigningKeyPath("record"))}",
            .. _auditStorage,
        ], _folder, new Dictionary<string, string>(), ServiceAnnouncements.Audit);

    /// <summary>Takes the Audit service down as an outage would: killed, nothing flushed.</summary>
    public async Task KillAuditAsync()
    {
        await Audit!.DisposeAsync();
        Audit = null;
    }

    public GrpcChannel RecordChannel() => GrpcChannel.ForAddress(Record!["grpc"]);

    /// <summary>A strict FHIR client of the Record, sending the caller's provenance headers.</summary>
    public FhirClient RecordFhirClient(IReadOnlyDictionary<string, string> caller) => StrictClient(RecordFhir, caller);

    /// <summary>A plain HTTP client of the Record's FHIR base, sending the caller's provenance headers.</summary>
    public HttpClient RecordHttpClient(IReadOnlyDictionary<string, string> caller)
    {
        var http = new HttpClient { BaseAddress = RecordFhir };
        foreach (var (name, value) in caller)
            http.DefaultRequestHeaders.Add(name, value);
        return http;
    }

    /// <summary>A strict FHIR client of the Audit service's AuditEvent API, as <paramref name="userId"/> in <paramref name="role"/>.</summary>
    public FhirClient AuditFhirClient(string userId = Auditor, string role = "auditor") =>
        StrictClient(new Uri(AuditHttp, "fhir/"), new Dictionary<string, string> { ["x-user-id"] = userId, ["x-user-role"] = role });

    public HttpClient AuditHttpClient(string? userId = Auditor, string? role = "auditor")
    {
        var http = new HttpClient { BaseAddress = AuditHttp };
        if (userId is not null)
            http.DefaultRequestHeaders.Add("x-user-id", userId);
        if (role is not null)
            http.DefaultRequestHeaders.Add("x-user-role", role);
        return http;
    }

    /// <summary>
    /// Asks the auditors' entries API until <paramref name="query"/> matches <paramref name="count"/> entries (or more), and
    /// returns them all. The asking is audited too, as entries of service "audit".
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForEntriesAsync(string query, int count)
    {
        using var http = AuditHttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var entries = new List<JsonElement>();
            var next = $"audit/entries?{query}&_count=1000";
            while (next is not null)
            {
                using var page = JsonDocument.Parse(await http.GetStringAsync(next));
                entries.AddRange(page.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.Clone()));
                next = page.RootElement.GetProperty("next").GetString();
            }

            if (entries.Count >= count || DateTime.UtcNow > deadline)
                return entries;
            await Task.Delay(100);
        }
    }

    public async Task<JsonElement> VerifyAsync()
    {
        using var http = AuditHttpClient();
        return await http.GetFromJsonAsync<JsonElement>("audit/verify");
    }

    public async ValueTask DisposeAsync()
    {
        if (Record is not null)
            await Record.DisposeAsync();
        if (Audit is not null)
            await Audit.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner gets what a failed test left open.
        }
    }

    private static FhirClient StrictClient(Uri baseUrl, IReadOnlyDictionary<string, string> headers)
    {
        var http = new HttpClient();
        foreach (var (name, value) in headers)
            http.DefaultRequestHeaders.Add(name, value);
        return new FhirClient(baseUrl, http, new FhirClientSettings
        {
            PreferredFormat = ResourceFormat.Json,
            VerifyFhirVersion = false,
            SerializationEngine = FhirSerializationEngineFactory.Strict(ModelInfo.ModelInspector),
        });
    }

    private static string HostPath(string key) => typeof(ChroniclePlatform).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!;
}
