using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using Chronicle.Contracts.Record.V1;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Chronicle.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Identity.Tests;

/// <summary>
/// A real Identity (in this process) and the built Record and Audit executables (child processes) that trust it, as the
/// launcher runs them: <c>Chronicle:Security:Authority</c>, Identity's gRPC address by app id, plain-HTTP discovery. The Record
/// and Identity publish their audit entries to the Audit service (direct transport); the Audit service replays from the
/// Record with the auditor's token.
/// Two patients are registered through the Record's own gRPC command by each practice's GP.
/// </summary>
public sealed class RealServicesFixture : IAsyncLifetime
{
    private static readonly string RecordDll = HostPath("RecordHostPath");
    private static readonly string AuditDll = HostPath("AuditHostPath");

    private readonly ConcurrentDictionary<string, Task<string>> _tokens = new();
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("chronicle-secured-").FullName;

    public IdentityInstance Identity { get; private set; } = null!;
    public OAuthTestClient OAuth { get; private set; } = null!;
    public ServiceProcess Record { get; private set; } = null!;
    public ServiceProcess Audit { get; private set; } = null!;

    public Uri RecordFhir => new(Record["fhir"] + "/");
    public Uri RecordGrpc => Record["grpc"];
    public Uri AuditHttp => new(Audit["http"].ToString().TrimEnd('/') + "/");

    /// <summary>Registered at A81001 by gp.a81001 (the demo patient's record id, so the demo patient account reaches it).</summary>
    public string PatientAtA { get; } = DemoDirectory.PatientId.ToString();

    /// <summary>Registered at A81002 by gp.a81002.</summary>
    public string PatientAtB { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var recordGrpcPort = ServiceAnnouncements.FreeLoopbackPort();
        var auditGrpcPort = ServiceAnnouncements.FreeLoopbackPort();
        // As the launcher does: each service signs its audit entries with its own key; the Audit service knows the others'.
        foreach (var service in new[] { "identity", "record", "audit" })
            Chronicle.Auditing.AuditSigningKey.LoadOrCreate(SigningKey(service)).Dispose();
        // Identity starts first (the others check tokens against it); its relay holds its entries until both answer.
        Identity = await IdentityInstance.StartAsync(new Dictionary<string, string?>
        {
            ["Chronicle:Identity:AccessTokenLifetime"] = "00:30:00",
            // Reused access answers outlive every test: a change reaches the Record only through Identity's event.
            ["Chronicle:Identity:AccessAnswerLifetime"] = "01:00:00",
            ["Chronicle:Apps:audit:Grpc"] = $"http://127.0.0.1:{auditGrpcPort}",
            ["Chronicle:Apps:record:Grpc"] = $"http://127.0.0.1:{recordGrpcPort}",
            ["Chronicle:Direct:MinRetryDelay"] = "00:00:00.020",
            ["Chronicle:Direct:MaxRetryDelay"] = "00:00:00.500",
            ["Chronicle:Auditing:SigningKey"] = SigningKey("identity"),
        });
        OAuth = new OAuthTestClient(Identity.Http);
        string[] security =
        [
            $"--Chronicle:Security:Authority={Identity.Issuer.AbsoluteUri}", $"--Chronicle:Apps:identity:Grpc={Identity.Grpc.AbsoluteUri}",
            "--Chronicle:Security:RequireHttpsMetadata=false",
        ];
        Audit = await ServiceProcess.StartAsync(AuditDll,
            ["serve", "--Chronicle:Ports:Http=0", $"--Chronicle:Ports:Grpc={auditGrpcPort}", $"--Chronicle:Apps:record:Grpc=http://127.0.0.1:{recordGrpcPort}",
                $"--Chronicle:Auditing:SigningKey={SigningKey("audit")}",
                $"--Chronicle:Audit:Emitters:record:PublicKeys:0={Chronicle.Auditing.AuditSigningKey.PublicKeyPathFor(SigningKey("record"))}",
                $"--Chronicle:Audit:Emitters:identity:PublicKeys:0={Chronicle.Auditing.AuditSigningKey.PublicKeyPathFor(SigningKey("identity"))}", .. security],
            Folder("audit"), new Dictionary<string, string>(), ServiceAnnouncements.Audit);
        Record = await ServiceProcess.StartAsync(RecordDll,
            ["serve", "--Chronicle:Ports:Fhir=0", $"--Chronicle:Ports:Grpc={recordGrpcPort}", $"--Chronicle:Apps:audit:Grpc=http://127.0.0.1:{auditGrpcPort}",
                "--Chronicle:Direct:MinRetryDelay=00:00:00.020", "--Chronicle:Direct:MaxRetryDelay=00:00:00.500",
                $"--Chronicle:Auditing:SigningKey={SigningKey("record")}", .. security],
            Folder("record"), new Dictionary<string, string>(), ServiceAnnouncements.Record);

        await RegisterAsync(await GpTokenAsync(DemoDirectory.PracticeA), PatientAtA, "9434765919", DemoDirectory.PracticeA);
        PatientAtB = await RegisterAsync(await GpTokenAsync(DemoDirectory.PracticeB), "", "9434765927", DemoDirectory.PracticeB);
        // Identity hears of registrations from the Record's published facts; here it is told directly (no broker between them).
        await using var scope = Identity.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RegistrationFacts>().RecordRegistrationAsync(Guid.NewGuid(), Guid.Parse(PatientAtB), DemoDirectory.PracticeB, 0);
    }

    public async Task<string> RegisterAsync(string token, string patientId, string nhsNumber, string practice)
    {
        using var channel = GrpcChannel.ForAddress(RecordGrpc);
        var reply = await new PatientRecord.PatientRecordClient(channel).RegisterPatientAsync(new RegisterPatientRequest
        {
            CommandId = Guid.NewGuid().ToString(),
            PatientId = patientId,
            NhsNumber = nhsNumber,
            GeneralPracticeOds = practice,
            Demographics = new Demographics { Name = new HumanName { Family = "Okafor", Given = { "Jane" } }, BirthDate = "1980-04-12", Gender = "female" },
        }, Bearer(token));
        return reply.PatientId;
    }

    public static Metadata Bearer(string? token, string? breakGlassReason = null)
    {
        var metadata = new Metadata();
        if (token is not null)
            metadata.Add("authorization", "Bearer " + token);
        if (breakGlassReason is not null)
            metadata.Add(BreakGlass.Header, breakGlassReason);
        return metadata;
    }

    public static HttpClient Http(string? token, string? breakGlassReason = null)
    {
        var http = new HttpClient();
        if (token is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (breakGlassReason is not null)
            http.DefaultRequestHeaders.Add(BreakGlass.Header, breakGlassReason);
        return http;
    }

    /// <summary>A user's token through the real authorization code + PKCE flow (cached per user and scope).</summary>
    public Task<string> UserTokenAsync(string userName, string scope) =>
        _tokens.GetOrAdd($"{userName}|{scope}", async _ => (await OAuth.AuthorizationCodeAsync(userName, DemoDirectory.Password, scope)).AccessToken);

    public Task<string> GpTokenAsync(string practice = DemoDirectory.PracticeA) =>
        UserTokenAsync(DemoDirectory.StaffUserName(StaffRoles.Gp, practice), "openid user/*.cruds");

    public Task<string> AuditorTokenAsync() => UserTokenAsync(DemoDirectory.StaffUserName(StaffRoles.Auditor, DemoDirectory.PracticeA), "openid user/*.rs");

    public Task<string> PatientTokenAsync() => UserTokenAsync(DemoDirectory.PatientUserName, "openid patient/*.rs");

    public async Task<string> ModuleTokenAsync(string? scope = null) =>
        (await OAuth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret, scope)).AccessToken;

    /// <summary>The Audit service's entries for <paramref name="query"/> once at least <paramref name="count"/> have arrived (read as the auditor).</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForEntriesAsync(string query, int count, Func<JsonElement, bool>? where = null)
    {
        using var http = Http(await AuditorTokenAsync());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync(new Uri(AuditHttp, $"audit/entries?{query}&_count=1000")));
            var entries = page.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("entry").Clone())
                .Where(e => where is null || where(e)).ToList();
            if (entries.Count >= count || DateTime.UtcNow > deadline)
                return entries;
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await Record.DisposeAsync();
        await Audit.DisposeAsync();
        await Identity.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner gets what is left open.
        }
    }

    private string SigningKey(string service) => Path.Combine(_folder, "audit-signing-keys", $"{service}.pem");

    /// <summary>Where a child service keeps its data: its default data directory under the folder it was started in.</summary>
    public string DataDirectoryOf(string app) => Path.Combine(_folder, app, "data", app);

    private string Folder(string name) => System.IO.Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;

    private static string HostPath(string key) =>
        typeof(RealServicesFixture).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

[CollectionDefinition(Name)]
public sealed class RealServicesCollection : ICollectionFixture<RealServicesFixture>
{
    public const string Name = "real services";
}
