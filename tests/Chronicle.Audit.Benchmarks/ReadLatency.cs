using Chronicle.Testing;
using System.Diagnostics;
using Chronicle.Auditing;
using Chronicle.EventStore;
using Chronicle.Record.Fhir.Api;
using Chronicle.Record.Fhir.Projection;
using Chronicle.Record.Grpc;
using Chronicle.Record.Host;
using Chronicle.Record.Messaging;
using Chronicle.Record.Synthetic;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chronicle.Audit.Benchmarks;

/// <param name="UnauditedCpu">The process's CPU time (clients and service together) over the unaudited windows.</param>
internal sealed record ReadLatencyResult(int Concurrency, LatencySample Unaudited, LatencySample Audited, TimeSpan Measured,
    TimeSpan UnauditedCpu, TimeSpan AuditedCpu)
{
    public double UnauditedCpuPerRead => UnauditedCpu.TotalMilliseconds / Unaudited.Count;
    public double AuditedCpuPerRead => AuditedCpu.TotalMilliseconds / Audited.Count;
}

/// <summary>
/// FHIR reads (GET Patient/{id}) through one Record service in this process, composed as the executable composes it (FHIR
/// read side, auditing, outbox relay), on one SQLite store of synthetic patients. Entries are made durable for requests
/// that carry <see cref="AuditedHeader"/> only (<see cref="HeaderSelectedAuditTrail"/>), so audited and unaudited reads hit
/// the same data, caches and process; windows of each mode alternate so drift affects both alike.
/// </summary>
internal sealed class ReadLatency : IAsyncDisposable
{
    public const string AuditedHeader = "x-benchmark-audited";

    private readonly WebApplication _app;
    private readonly Chronicle.ServiceDefaults.ServiceStorage _storage;
    private readonly IReadOnlyList<string> _patientIds;
    private readonly Uri _fhir;

    private ReadLatency(WebApplication app, Chronicle.ServiceDefaults.ServiceStorage storage, IReadOnlyList<string> patientIds, Uri fhir)
    {
        (_app, _storage, _patientIds, _fhir) = (app, storage, patientIds, fhir);
    }

    public int AuditEntriesWritten { get; private set; }

    /// <param name="background">
    /// True: as deployed, the FHIR projection and the outbox relay follow the log (each audit entry wakes both, and each
    /// moves a checkpoint). False: both are stopped once the read model has caught up, leaving the outbox append alone.
    /// </param>
    public static async Task<ReadLatency> StartAsync(string dataDirectory, int patients, bool background, TextWriter progress)
    {
        var settings = new RecordHostSettings { DataDirectory = dataDirectory, FhirPort = 0, GrpcPort = 0 };
        var storage = await RecordStorage.OpenAsync(settings);
        var records = new SyntheticRecords(1, new DateOnly(2025, 1, 1));
        progress.WriteLine($"Writing {patients} synthetic patients...");
        await new SyntheticRecordWriter(storage.Events).WriteAsync(records, patients);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chronicle:Transport"] = "direct", ["Chronicle:AppId"] = "record", [TestAppApiToken.Setting] = TestAppApiToken.Value,
        });
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(storage.Events);
        builder.Services.AddSingleton(storage.ReadModels);
        builder.AddRecordListeners(settings);
        builder.Services.AddRecordCommands();
        builder.Services.AddRecordFhir(fhir => fhir.RunProjection = background);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton<EventStoreAuditTrail>();
        builder.Services.AddSingleton<IAuditTrail, HeaderSelectedAuditTrail>();
        builder.Services.AddAuditing("record");
        if (background)
        {
            builder.Services.AddAuditSigning(builder.Configuration, dataDirectory); // the relay signs each entry it publishes
            builder.AddRecordMessaging(settings);
        }
        var app = builder.Build();
        app.MapRecordGrpc();
        app.MapRecordFhir();
        await app.StartAsync();

        var readModel = app.Services.GetRequiredService<RecordFhirReadModel>();
        if (!background)
            await readModel.StartAsync();
        while ((await readModel.GetLagAsync()).EventsBehind > 0)
            await Task.Delay(50);
        if (!background)
            await readModel.DisposeAsync();
        var fhir = app.Services.GetRequiredService<Chronicle.ServiceDefaults.ServiceListeners>().HttpUrl("/fhir");
        var ids = Enumerable.Range(0, patients).Select(i => records.Patient(i)[0].PatientId.ToString("D")).ToList();
        return new ReadLatency(app, storage, ids, new Uri(fhir + "/"));
    }

    public async Task<ReadLatencyResult> MeasureAsync(int concurrency, TimeSpan window, int rounds, TextWriter progress)
    {
        var clients = Enumerable.Range(0, concurrency).Select(_ => new HttpClient { BaseAddress = _fhir }).ToList();
        try
        {
            var unaudited = new LatencySample();
            var audited = new LatencySample();
            TimeSpan unauditedCpu = default, auditedCpu = default;
            await RunWindowAsync(clients, audit: false, window, new LatencySample());
            await RunWindowAsync(clients, audit: true, window, new LatencySample());
            for (var round = 0; round < rounds; round++)
            {
                foreach (var audit in round % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    await RunWindowAsync(clients, audit, window, audit ? audited : unaudited);
                    cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                    if (audit)
                        auditedCpu += cpu;
                    else
                        unauditedCpu += cpu;
                }

                progress.WriteLine($"  {concurrency} client(s), round {round + 1}/{rounds}: {unaudited.Count} unaudited, {audited.Count} audited reads");
            }

            return new ReadLatencyResult(concurrency, unaudited, audited, window * rounds, unauditedCpu, auditedCpu);
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
    }

    /// <summary>
    /// How many audit entries the Record's outbox holds (one per audited read, none per unaudited one), and in how many
    /// appends they were written (an append's events share the log transaction number).
    /// </summary>
    public async Task<(long Entries, long Appends)> CountOutboxAsync()
    {
        var store = _app.Services.GetRequiredService<IEventStore>();
        var appends = new HashSet<long>();
        long count = 0;
        long? from = 0;
        while (from is not null)
        {
            var page = await store.ReadStreamAsync(EventStoreAuditTrail.OutboxStream, new StreamReadOptions { FromVersion = from, MaxCount = 1000 });
            count += page.Count;
            appends.UnionWith(page.Select(e => e.LogPosition.Transaction));
            from = page.Count == 1000 ? page[^1].StreamVersion + 1 : null;
        }

        return (count, appends.Count);
    }

    private async Task RunWindowAsync(IReadOnlyList<HttpClient> clients, bool audit, TimeSpan window, LatencySample sample)
    {
        var end = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(clients.Select((client, index) => Task.Run(async () =>
        {
            var random = new Random(index);
            while (Stopwatch.GetTimestamp() < end)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"Patient/{_patientIds[random.Next(_patientIds.Count)]}");
                request.Headers.Add("x-user-id", "G8123456");
                request.Headers.Add("x-user-role", "GP");
                if (audit)
                    request.Headers.Add(AuditedHeader, "1");
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                sample.Add(Stopwatch.GetElapsedTime(started));
                response.EnsureSuccessStatusCode();
            }
        })));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _storage.DisposeAsync();
    }
}

/// <summary>The service's audit trail for requests that carry <see cref="ReadLatency.AuditedHeader"/>; nothing for the others.</summary>
internal sealed class HeaderSelectedAuditTrail(EventStoreAuditTrail trail, Microsoft.AspNetCore.Http.IHttpContextAccessor requests) : IAuditTrail
{
    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        requests.HttpContext?.Request.Headers.ContainsKey(ReadLatency.AuditedHeader) == true
            ? trail.RecordAsync(entry, cancellationToken)
            : Task.CompletedTask;
}
