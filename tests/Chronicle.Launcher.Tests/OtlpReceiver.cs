using System.Collections.Concurrent;
using System.Net;
using Chronicle.Launcher.Processes;
using Google.Protobuf;

namespace Chronicle.Launcher.Tests;

/// <summary>One span as an OTLP exporter sent it: its service, trace and span ids (hex), parent, name and kind.</summary>
internal sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind)
{
    public const int Server = 2;
    public const int Producer = 4;
    public const int Consumer = 5;
}

/// <summary>
/// An OTLP/HTTP (protobuf) collector in the test process: keeps every span exported to <c>/v1/traces</c> and accepts
/// metrics and logs. Reads the few fields the tests need straight off the wire (the OTLP protos are not served here),
/// skipping every other field as protobuf allows.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    // HttpListener, not Kestrel: ASP.NET Core's instrumentation in a test process that also exports would trace the
    // collector's own requests, and export those, without end.
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly Task _serving;

    private OtlpReceiver(int port)
    {
        Endpoint = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public Uri Endpoint { get; }

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public static Task<OtlpReceiver> StartAsync() => Task.FromResult(new OtlpReceiver(FreePorts.Take(1)[0]));

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await AnswerAsync(context);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
            {
                // The exporter hung up, or the receiver is stopping under an export in flight: that export is lost,
                // as a collector going away loses it; the spans already kept stay kept.
                if (!_listener.IsListening)
                    return;
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        if (context.Request.Url?.AbsolutePath == "/v1/traces")
            Read(body.ToArray());
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/x-protobuf";
        context.Response.ContentLength64 = 0;
        context.Response.Close();
    }

    /// <summary>ExportTraceServiceRequest: resource_spans = 1 → resource = 1 (attributes = 1), scope_spans = 2 → spans = 2.</summary>
    private void Read(byte[] request)
    {
        foreach (var resourceSpans in Fields(request, 1))
        {
            var service = Fields(resourceSpans, 1).SelectMany(resource => Fields(resource, 1)).Select(Attribute)
                .FirstOrDefault(a => a.Key == "service.name").Value ?? "";
            foreach (var span in Fields(resourceSpans, 2).SelectMany(scope => Fields(scope, 2)))
                _spans.Enqueue(Span(service, span));
        }
    }

    /// <summary>Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, kind = 6.</summary>
    private static ReceivedSpan Span(string service, byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var input = new CodedInputStream(span);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: traceId = Convert.ToHexStringLower(input.ReadBytes().ToByteArray()); break;
                case 2: spanId = Convert.ToHexStringLower(input.ReadBytes().ToByteArray()); break;
                case 4: parent = Convert.ToHexStringLower(input.ReadBytes().ToByteArray()); break;
                case 5: name = input.ReadString(); break;
                case 6: kind = input.ReadEnum(); break;
                default: input.SkipLastField(); break;
            }
        }

        return new ReceivedSpan(service, traceId, spanId, parent, name, kind);
    }

    /// <summary>KeyValue: key = 1, value = 2 (AnyValue: string_value = 1).</summary>
    private static KeyValuePair<string, string?> Attribute(byte[] keyValue)
    {
        var input = new CodedInputStream(keyValue);
        string key = "";
        string? value = null;
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
                key = input.ReadString();
            else if (WireFormat.GetTagFieldNumber(tag) == 2)
                value = Fields(input.ReadBytes().ToByteArray(), 1).Select(b => System.Text.Encoding.UTF8.GetString(b)).FirstOrDefault();
            else
                input.SkipLastField();
        }

        return new(key, value);
    }

    /// <summary>The length-delimited values of field <paramref name="number"/> in a message.</summary>
    private static List<byte[]> Fields(byte[] message, int number)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                found.Add(input.ReadBytes().ToByteArray());
            else
                input.SkipLastField();
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
