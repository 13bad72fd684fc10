using System.Net.Http.Headers;
using Chronicle.Auditing;
using Chronicle.EventStore;
using Chronicle.Projections;
using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Api;
using Chronicle.Record.Fhir.Projection;
using Chronicle.Security;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;
using Chronicle.Record.Application;
using Chronicle.Testing;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// The Record as its executable composes it (<see cref="ComposedRecord"/>: security and auditing on), its FHIR API on a
/// real Kestrel socket over a real event store and read-model database. Events are appended straight to the store, as
/// the command side would.
/// </summary>
public sealed class FhirApiServer : IAsyncDisposable
{
    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();
    private readonly ComposedRecord _record;
    private readonly TestStorage _backend;
    private readonly string? _token;

    private FhirApiServer(ComposedRecord record, TestStorage backend, string? token)
    {
        _record = record;
        _backend = backend;
        _token = token;
        FhirBase = new Uri(record.HttpBase, record.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RecordFhirOptions>>().Value.RoutePrefix.TrimStart('/'));
        Http = NewHttpClient(new Uri(FhirBase.AbsoluteUri + "/"));
    }

    public Uri FhirBase { get; }

    /// <summary>Without <c>security</c>, its requests carry a token that reads and searches everything and every patient is reachable.</summary>
    public HttpClient Http { get; }

    public IEventStore Store => _record.Events;
    public ReadModelDatabase ReadModels => _record.ReadModels;
    public RecordFhirReadModel ReadModel => _record.Services.GetRequiredService<RecordFhirReadModel>();

    /// <summary>Tokens the Record accepts.</summary>
    public TestTokens Tokens => _record.Tokens;

    /// <summary>The Record's own schemas, as its host opens them: reserve the storage (<see cref="TestStorage.ReserveAsync"/>) for the host to open.</summary>
    public static TestStorageOptions Storage { get; } = ComposedRecord.StorageOptions("fhir-api");

    /// <summary>The scopes the default token carries.</summary>
    public const string DefaultScope = "system/*.rs";

    /// <param name="backend">Reserved, not opened (<see cref="TestStorage.ReserveAsync"/>); disposed with the server.</param>
    /// <param name="configure">Changes the FHIR API's options after compose.</param>
    /// <param name="security">
    /// Replaces what checks callers (e.g. the <see cref="IPatientAccessChecker"/> that would ask Identity, the trusted
    /// signing keys), applied after compose (<see cref="ServiceOverrides"/>). Without it, <see cref="Http"/> and
    /// <see cref="CreateClient"/> send a token with <see cref="DefaultScope"/> and every patient is reachable.
    /// </param>
    /// <param name="settings">Configuration settings, e.g. Chronicle:PublicBaseUrl.</param>
    public static async Task<FhirApiServer> StartAsync(TestStorage backend, Action<RecordFhirOptions>? configure = null,
        Action<IServiceCollection>? security = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var record = await ComposedRecord.StartAsync(backend, services =>
        {
            services.PostConfigure<RecordFhirOptions>(options =>
            {
                options.Projection = new ProjectionRunnerOptions { MaxPollInterval = TimeSpan.FromMilliseconds(20) };
                configure?.Invoke(options);
            });
            if (security is null)
                services.AddSingleton<IPatientAccessChecker>(new EveryPatientReachable());
            else
                security(services);
        }, settings);
        return new FhirApiServer(record, backend, security is null ? record.Tokens.Module(DefaultScope) : null);
    }

    /// <summary>A Firely client that parses every response strictly: unknown elements or bad values fail the test.</summary>
    public FhirClient CreateClient() => new(FhirBase, NewHttpClient(null), new FhirClientSettings
    {
        PreferredFormat = ResourceFormat.Json,
        VerifyFhirVersion = false,
        SerializationEngine = FhirSerializationEngineFactory.Strict(ModelInfo.ModelInspector),
    });

    /// <summary>The audit entries the Record has made durable, oldest first.</summary>
    public Task<IReadOnlyList<AuditEntry>> AuditEntriesAsync() => _record.AuditEntriesAsync();

    /// <summary>Appends events to the patient's stream and waits until the FHIR view shows them.</summary>
    public async Task<AppendResult> AppendAsync(Guid patientId, params object[] events)
    {
        var result = await AppendWithoutWaitingAsync(patientId, Metadata, events);
        await ReadModel.WaitForAsync(result.LastLogPosition).WaitAsync(TimeSpan.FromSeconds(30));
        return result;
    }

    public Task<AppendResult> AppendWithoutWaitingAsync(Guid patientId, EventMetadata metadata, params object[] events) =>
        Store.AppendAsync(RecordEvent.StreamOf(patientId), ExpectedVersion.Any,
            events.Select(e => Registry.ToEventData(Guid.NewGuid(), e, metadata)).ToList());

    public static EventMetadata Metadata { get; } = new()
    {
        UserId = "G8123456", Role = "GP", OrganisationOds = "A81001", ClientId = "gp-desktop", Reason = "Consultation",
    };

    /// <summary>A new client whose requests carry what <see cref="Http"/>'s do; the caller disposes it.</summary>
    public HttpClient CreateHttpClient() => NewHttpClient(null);

    private HttpClient NewHttpClient(Uri? baseAddress)
    {
        var http = new HttpClient();
        if (baseAddress is not null)
            http.BaseAddress = baseAddress;
        if (_token is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _record.DisposeAsync();
        await _backend.DisposeAsync();
    }
}
