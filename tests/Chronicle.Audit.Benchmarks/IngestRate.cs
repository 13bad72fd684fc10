using Chronicle.Messaging.Receiving;
using Chronicle.Testing;
using System.Diagnostics;
using System.Text.Json;
using Chronicle.Audit.Chain;
using Chronicle.Audit.Host;
using Chronicle.Audit.Ingestion;
using Chronicle.Auditing;
using Chronicle.Contracts.IntegrationEvents.Audit;
using Chronicle.EventStore.Sqlite;
using Chronicle.Messaging.Direct;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Audit.Benchmarks;

internal sealed record Rate(string Case, long Items, TimeSpan Elapsed, string Unit)
{
    public double PerSecond => Items / Elapsed.TotalSeconds;
}

/// <summary>How fast entries enter the chain, by three routes, and how fast the verifier walks it.</summary>
internal static class IngestRate
{
    /// <summary>The Record's audit signing key: every measured entry is signed with it, as the Record's relay signs, and the Audit service trusts it.</summary>
    internal static AuditSigningKey RecordKey { get; } = AuditSigningKey.Generate();

    public static async Task<IReadOnlyList<Rate>> MeasureAsync(string folder, BenchmarkSettings settings, TextWriter progress)
    {
        var rates = new List<Rate>();
        var path = Path.Combine(folder, "chain.db");
        await using (var store = SqliteEventStore.ForFile(path))
        {
            await store.InitializeAsync();
            using var signer = CheckpointSigner.Generate();
            var log = new AuditLog(store, signer);

            progress.WriteLine("Chaining in appends of 500...");
            var batches = Entries(settings.IngestEntries).Chunk(500).ToList();
            var started = Stopwatch.GetTimestamp();
            foreach (var batch in batches)
                await log.AppendAsync(batch);
            rates.Add(new Rate("AuditLog.AppendAsync, appends of 500 entries", settings.IngestEntries, Stopwatch.GetElapsedTime(started), "entries/s"));
            await log.CheckpointAsync();

            progress.WriteLine("Chaining single entries from 64 concurrent callers (group commit)...");
            await using (var ingestor = new AuditIngestor(log))
            {
                var entries = Entries(settings.IngestEntries).ToList();
                var next = -1;
                started = Stopwatch.GetTimestamp();
                await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < entries.Count)
                        await ingestor.AppendAsync(entries[i]);
                })));
                rates.Add(new Rate("AuditIngestor, one entry per call, 64 concurrent callers", entries.Count, Stopwatch.GetElapsedTime(started), "entries/s"));
            }

            await log.CheckpointAsync();
            progress.WriteLine("Verifying the chain...");
            var verifier = new AuditChainVerifier(store, new TrustedCheckpointKeys([signer.PublicKey]), new AuditEmitterKeys().Add("record", RecordKey.PublicKey));
            started = Stopwatch.GetTimestamp();
            var verification = await verifier.VerifyAsync();
            if (!verification.Intact)
                throw new InvalidOperationException(AuditCommandLine.Describe(verification));
            rates.Add(new Rate($"AuditChainVerifier, whole chain ({verification.CheckpointsChecked} checkpoints)", verification.LinksChecked,
                Stopwatch.GetElapsedTime(started), "links/s"));
        }

        rates.AddRange(await MeasureDeliveriesAsync(Path.Combine(folder, "service"), settings.DeliveredEntries, progress));
        rates.AddRange(await BulkIngestRate.MeasureAsync(Path.Combine(folder, "service-bulk"), settings.DeliveredEntries * 10, progress));
        return rates;
    }

    /// <summary>Entries delivered as the direct transport delivers them: OnTopicEvent calls into the Audit service (inbox, then chain).</summary>
    private static async Task<IReadOnlyList<Rate>> MeasureDeliveriesAsync(string dataDirectory, int count, TextWriter progress)
    {
        await using var host = await StartAuditAsync(dataDirectory);
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress);
        var callback = new AppCallbackClient(channel.CreateCallInvoker().Sending(TestAppApiToken.Value));
        var rates = new List<Rate>();
        foreach (var callers in new[] { 1, 8 })
        {
            progress.WriteLine($"Delivering {count} entries through the app callback, {callers} at a time...");
            var deliveries = Entries(count).Select(Delivery).ToList();
            var started = Stopwatch.GetTimestamp();
            await RunConcurrentlyAsync(callers, deliveries.Count, async i =>
            {
                var response = await callback.OnTopicEventAsync(deliveries[i]);
                if (response.Status != TopicEventResponse.Types.TopicEventResponseStatus.Success)
                    throw new InvalidOperationException($"Delivery answered {response.Status}.");
            });
            rates.Add(new Rate($"OnTopicEvent over gRPC (inbox + chain), {callers} concurrent deliver{(callers == 1 ? "y" : "ies")}", count,
                Stopwatch.GetElapsedTime(started), "entries/s"));
        }

        return rates;
    }

    /// <summary>The Audit service in this process under the direct transport, without token checks (they are not what is measured).</summary>
    internal static Task<RunningAuditHost> StartAuditAsync(string dataDirectory) => AuditHost.StartAsync([
        "--Chronicle:Ports:Http=0", "--Chronicle:Ports:Grpc=0", "--Chronicle:Transport=direct", "--Chronicle:AppId=audit",
        $"--{TestAppApiToken.Setting}={TestAppApiToken.Value}",
        "--Chronicle:Security:Disabled=true", $"--Chronicle:Audit:Emitters:record:PublicKeys:0={RecordKey.PublicKeyPem}",
        $"--Chronicle:DataDirectory={dataDirectory}", "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Chronicle.Messaging=Critical",
    ], AuditService.Compose);

    /// <summary>Runs <paramref name="work"/> for items 0 to <paramref name="count"/> - 1, <paramref name="callers"/> at a time.</summary>
    internal static Task RunConcurrentlyAsync(int callers, int count, Func<int, Task> work)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
                await work(i);
        })));
    }

    private static TopicEventRequest Delivery(SignedAuditEntry entry) => new()
    {
        Id = Guid.NewGuid().ToString(), Source = "record", Type = "chronicle.audit.entry-recorded.v1", SpecVersion = "1.0",
        DataContentType = "application/json", Topic = AuditTopics.Audit, PubsubName = "pubsub",
        Data = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(AuditEntryMessages.ToIntegrationEvent(entry),
            AuditIntegrationEventsJsonContext.Default.AuditEntryRecorded)),
    };

    /// <summary>Entries as the Record emits them, signed with <see cref="RecordKey"/>.</summary>
    internal static IEnumerable<SignedAuditEntry> Entries(int count)
    {
        var patient = Guid.NewGuid().ToString();
        for (var i = 0; i < count; i++)
        {
            yield return RecordKey.Sign(new AuditEntry
            {
                EntryId = Guid.CreateVersion7(), OccurredAt = DateTimeOffset.UtcNow, Service = "record", UserId = "G8123456", Role = "GP",
                OrganisationOds = "A81001", ClientId = "gp-desktop", PatientId = patient, Action = AuditAction.Read, ResourceType = "Patient",
                ResourceId = patient, Outcome = 200, CorrelationId = Guid.NewGuid().ToString(),
            });
        }
    }
}
