using System.Net;
using Chronicle.EventStore;
using Chronicle.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Chronicle.Launcher.Tests;

/// <summary>
/// The telemetry every Chronicle host sets up (libs/ServiceDefaults ServiceTelemetry), exporting over real OTLP/HTTP to a
/// collector in the test: off unless an endpoint is configured; when on, a request's server span and the event-store
/// append it makes are one trace, named for the service.
/// </summary>
public sealed class ServiceTelemetryTests
{
    [Fact]
    public void GivenNoOtlpEndpoint_WhenTelemetryIsAdded_ThenNothingIsCollected()
    {
        var builder = WebApplication.CreateSlimBuilder();

        var exporting = builder.AddServiceTelemetry("record");

        using var app = builder.Build();
        Assert.False(exporting);
        Assert.Null(app.Services.GetService<TracerProvider>());
    }

    [Fact]
    public void GivenAMalformedEndpoint_WhenTelemetryIsAdded_ThenStartIsRefusedNamingTheSetting()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration[ServiceTelemetry.EndpointSetting] = "otel-collector:4317";

        var error = Assert.Throws<ArgumentException>(() => builder.AddServiceTelemetry("record"));

        Assert.Contains(ServiceTelemetry.EndpointSetting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAnOtlpEndpoint_WhenARequestAppendsEvents_ThenItsServerSpanAndTheAppendAreOneTraceOfThatService()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        var folder = Directory.CreateTempSubdirectory("chronicle-telemetry-");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint.ToString().TrimEnd('/');
        builder.Configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        builder.Configuration["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1));
        Assert.True(builder.AddServiceTelemetry("telemetry-probe"));
        await using var store = EventStore.Sqlite.SqliteEventStore.ForFile(Path.Combine(folder.FullName, "events.db"));
        await store.InitializeAsync();
        await using var app = builder.Build();
        app.MapPost("/append", async () =>
        {
            await store.AppendAsync("probe-1", ExpectedVersion.Any,
                [new EventData(Guid.NewGuid(), "V1.Probe", "{}"u8.ToArray(), EventMetadata.Empty)]);
            return "appended";
        });
        await app.StartAsync();
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        // A raw socket, not HttpClient: this process exports too, and its HttpClient instrumentation would start a trace of its own.
        var server0 = new Uri(app.Urls.Single());
        var answer = await Chronicle.Testing.RawHttp.ExchangeAsync(server0,
            $"POST /append HTTP/1.1\r\nHost: {server0.Authority}\r\ntraceparent: 00-{traceId}-00f067aa0ba902b7-01\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (collector.Spans.Count(s => s.TraceId == traceId) < 2 && DateTime.UtcNow < deadline)
            await Task.Delay(100);

        Assert.StartsWith("HTTP/1.1 200 ", answer, StringComparison.Ordinal);
        var spans = collector.Spans.Where(s => s.TraceId == traceId).ToList();
        var server = Assert.Single(spans, s => s.Kind == ReceivedSpan.Server);
        var append = Assert.Single(spans, s => s.Name == "eventstore.append");
        Assert.Equal(("telemetry-probe", "00f067aa0ba902b7"), (server.Service, server.ParentSpanId));
        Assert.Equal(server.SpanId, append.ParentSpanId);
        await app.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        folder.Delete(recursive: true);
    }
}
