using System.Net;
using System.Net.Http.Headers;

namespace Chronicle.Launcher.Tests;

/// <summary>
/// One trace across the platform, as the launcher runs it (every service a process of its own, the direct transport
/// between them), exported over real OTLP/HTTP to a collector in the test: a FHIR read through the gateway, its server
/// span in the Record, and the Audit service taking in the read's audit entry, all under the trace the client started.
/// </summary>
public sealed class PlatformTracingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("chronicle-tracing-").FullName;

    [Fact]
    public async Task GivenAClientsTraceParent_WhenItReadsAPatientThroughTheGateway_ThenTheRecordsSpanAndTheAuditEntrysDeliveryAreInThatTrace()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var launcher = await LauncherProcess.StartReadyAsync(Path.Combine(_root, "data"), new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString().TrimEnd('/'),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        }, "--demo");
        var patientId = LauncherEndToEndTests.DemoPatientId(launcher);
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await launcher.DemoModuleTokenAsync(http));
        var patient = new Uri(launcher.GatewayBase, $"Patient/{patientId}");
        await LauncherEndToEndTests.WaitUntilReadableAsync(http, patient);
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var clientSpan = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]);

        using var request = new HttpRequestMessage(HttpMethod.Get, patient);
        request.Headers.Add("traceparent", $"00-{traceId}-{clientSpan}-01");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var spans = await WaitForSpansAsync(collector, traceId,
            found => found.Any(s => s.Service == "audit" && s.Kind == ReceivedSpan.Consumer));
        var read = Assert.Single(spans, s => s.Service == "record" && s.Kind == ReceivedSpan.Server);
        Assert.Contains(spans, s => s.Service == "record" && s.Kind == ReceivedSpan.Producer);
        var delivered = spans.First(s => s.Service == "audit" && s.Kind == ReceivedSpan.Consumer);
        Assert.Equal(traceId, read.TraceId);
        Assert.Equal(traceId, delivered.TraceId);
        Assert.Contains("chronicle.audit", delivered.Name, StringComparison.Ordinal);
    }

    private static async Task<IReadOnlyList<ReceivedSpan>> WaitForSpansAsync(OtlpReceiver collector, string traceId,
        Func<IReadOnlyList<ReceivedSpan>, bool> complete)
    {
        var deadline = DateTime.UtcNow + LauncherProcess.Patience;
        while (true)
        {
            var spans = collector.Spans.Where(s => s.TraceId == traceId).ToList();
            if (complete(spans))
                return spans;
            Assert.True(DateTime.UtcNow < deadline,
                $"Trace {traceId} has only: {string.Join("; ", spans.Select(s => $"{s.Service} {s.Kind} {s.Name}"))}");
            await Task.Delay(200);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A service still closing a file; the OS temp cleaner will get it.
        }
    }
}
