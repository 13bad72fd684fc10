using Chronicle.Auditing;
using Chronicle.EventStore;
using Chronicle.Projections;
using Chronicle.Record.Host;
using Chronicle.Security;
using Chronicle.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chronicle.Testing;

/// <summary>
/// The Record in process, made as its executable makes it: the shared host with <see cref="RecordHost.Definition"/> and
/// <see cref="RecordService.Compose"/> (what Program.cs runs), security on and auditing on, listening on free loopback
/// ports. Its JWT bearer check trusts <see cref="Tokens"/> (an Identity that is never reached stands behind everything
/// else); <c>overrides</c> replace services after compose (<see cref="ServiceOverrides"/>), e.g. the
/// <see cref="IPatientAccessChecker"/> that would ask Identity.
/// </summary>
public sealed class ComposedRecord : IAsyncDisposable
{
    /// <summary>The Record's own schemas, as its host opens them: storage for <see cref="StartAsync"/> (<see cref="TestStorage.ReserveAsync"/>).</summary>
    public static TestStorageOptions StorageOptions(string name = "record") => new()
    {
        Name = name, EventSchema = RecordStorage.EventSchema, ReadModelSchema = RecordStorage.ReadModelSchema,
    };

    private readonly RunningServiceHost<RecordHostSettings> _host;

    private ComposedRecord(RunningServiceHost<RecordHostSettings> host, TestTokens tokens)
    {
        _host = host;
        Tokens = tokens;
    }

    public IServiceProvider Services => _host.Services;

    /// <summary>FHIR and health (HTTP/1.1).</summary>
    public Uri HttpBase => _host.Listeners.HttpBase;

    /// <summary>The gRPC commands and queries (h2c).</summary>
    public Uri GrpcAddress => _host.Listeners.GrpcAddress;

    /// <summary>Tokens this Record accepts.</summary>
    public TestTokens Tokens { get; }

    /// <summary>The store the Record serves from: its own streams, and its audit outbox beside them.</summary>
    public IEventStore Events => _host.Storage.Events;

    public ReadModelDatabase ReadModels => _host.Storage.ReadModels;

    /// <param name="storage">Reserved, not opened (<see cref="TestStorage.ReserveAsync"/>): the host opens it, as the executable's serve does.</param>
    /// <param name="overrides">Replacements applied after compose (<see cref="ServiceOverrides"/>), after the trust in <paramref name="tokens"/>.</param>
    /// <param name="settings">Configuration settings beside the test host's own, e.g. Chronicle:PublicBaseUrl.</param>
    /// <param name="tokens">The tokens to trust; new ones by default.</param>
    public static async Task<ComposedRecord> StartAsync(TestStorage storage, Action<IServiceCollection>? overrides = null,
        IReadOnlyDictionary<string, string?>? settings = null, TestTokens? tokens = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        tokens ??= new TestTokens();
        // The shared host opens the storage and registers it, as the executable's serve does.
        var host = await ServiceHost.StartAsync(
            [
                "--Chronicle:Ports:Fhir=0", "--Chronicle:Ports:Grpc=0", "--Chronicle:Transport=direct", "--Chronicle:AppId=record",
                $"--{TestAppApiToken.Setting}={TestAppApiToken.Value}", "--Chronicle:Security:Authority=http://127.0.0.1:9",
                "--Chronicle:Security:RequireHttpsMetadata=false",
                .. storage.HostArguments("Record"),
                .. (settings ?? new Dictionary<string, string?>()).Select(s => $"--{s.Key}={s.Value}"),
            ],
            RecordHost.Definition, ServiceOverrides.Apply<RecordHostSettings>(RecordService.Compose, services =>
            {
                tokens.Trust(services);
                overrides?.Invoke(services);
            }),
            builder => builder.Logging.ClearProviders());
        return new ComposedRecord(host, tokens);
    }

    /// <summary>
    /// The record's own events, in log order: its patient streams (<c>patient-…</c>) and NHS number reservations
    /// (<c>nhs-number-…</c>), without the audit entries and anything else the service keeps in the same store.
    /// </summary>
    public async Task<IReadOnlyList<RecordedEvent>> RecordLogAsync(CancellationToken cancellationToken = default)
    {
        var log = new List<RecordedEvent>();
        var position = LogPosition.Start;
        while (true)
        {
            var page = await Events.ReadAllAsync(position, EventStoreLimits.MaxReadCount, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
                return log;
            log.AddRange(page.Where(e => IsRecordStream(e.StreamId)));
            position = page[^1].LogPosition;
        }
    }

    /// <summary>Whether <paramref name="streamId"/> is one of the record's own streams (a patient's, or an NHS number's reservation).</summary>
    public static bool IsRecordStream(string streamId)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        return streamId.StartsWith("patient-", StringComparison.Ordinal) || streamId.StartsWith("nhs-number-", StringComparison.Ordinal);
    }

    /// <summary>The audit entries the Record has made durable, oldest first: its audit outbox (<see cref="EventStoreAuditTrail.OutboxStream"/>).</summary>
    public Task<IReadOnlyList<AuditEntry>> AuditEntriesAsync(CancellationToken cancellationToken = default) =>
        AuditOutbox.ReadAsync(Events, cancellationToken);

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
