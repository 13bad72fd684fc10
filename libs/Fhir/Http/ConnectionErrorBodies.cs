using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Fhir.Http;

/// <summary>
/// Kestrel refuses a request it cannot parse (a <c>%00</c> in the path, a malformed request line or header, headers that
/// time out) itself, before any middleware runs, with an empty body; its maintainers say that answer cannot be customised.
/// This connection middleware gives it the body every other Chronicle error has (<see cref="HttpEdges"/>): an
/// OperationOutcome when the request line named the FHIR prefix, problem details otherwise.
/// </summary>
/// <remarks>
/// How it knows which bytes are Kestrel's own refusal: on HTTP/1.1 the application's responses are written only while a
/// request is in the application, which <see cref="TrackRequests"/> marks from the pipeline's first step until the response
/// has completed. Anything written outside that is Kestrel's connection-level answer; it is held until flushed, and
/// rewritten only if it is an HTTP/1.x error status with no body. Everything else passes through byte for byte, in order.
/// Request bodies are never touched: the input is only read (the start of the next request line, to choose the format).
/// </remarks>
public static class ConnectionErrorBodies
{
    private static readonly object Key = typeof(ConnectionErrorBodies);

    /// <summary>Installs the rewriting on an HTTP/1.1-only listener (HTTP/2 frames its own errors).</summary>
    /// <exception cref="ArgumentException">The listener speaks more than HTTP/1.1.</exception>
    public static ListenOptions UseConnectionErrorBodies(this ListenOptions listen, string fhirPrefix = "/fhir")
    {
        ArgumentNullException.ThrowIfNull(listen);
        if (listen.Protocols != HttpProtocols.Http1)
            throw new ArgumentException("Connection error bodies are for HTTP/1.1-only listeners.", nameof(listen));
        listen.Use(next => async connection =>
        {
            var state = new ConnectionState(listen.ApplicationServices, fhirPrefix);
            connection.Items[Key] = state;
            var transport = connection.Transport;
            connection.Transport = new Duplex(new WatchingReader(transport.Input, state), new RewritingWriter(transport.Output, state));
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                connection.Transport = transport;
            }
        });
        return listen;
    }

    /// <summary>
    /// Marks each request as in the application (first in the pipeline, by a startup filter) until its response has
    /// completed; <see cref="HttpEdges.AddHttpEdgeLimits"/> registers it.
    /// </summary>
    internal sealed class TrackRequests : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(static (context, nextStep) =>
            {
                if (context.Features.Get<IConnectionItemsFeature>()?.Items is { } items && items.TryGetValue(Key, out var value)
                    && value is ConnectionState state)
                {
                    state.InRequest = true;
                    context.Response.OnCompleted(static s =>
                    {
                        ((ConnectionState)s).InRequest = false;
                        return Task.CompletedTask;
                    }, state);
                }

                return nextStep(context);
            });
            next(app);
        };
    }

    private sealed class ConnectionState(IServiceProvider services, string fhirPrefix)
    {
        public IServiceProvider Services { get; } = services;

        public string FhirPrefix { get; } = fhirPrefix;

        public volatile bool InRequest;

        /// <summary>The first bytes the server read while no request was in the application: the next request line's start.</summary>
        public readonly byte[] LineStart = new byte[128];

        public int LineStartLength;
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Passes reads through, noting where the next request line starts when no request is in the application.</summary>
    private sealed class WatchingReader(PipeReader inner, ConnectionState state) : PipeReader
    {
        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
            Note(await inner.ReadAsync(cancellationToken).ConfigureAwait(false));

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
                return false;
            Note(result);
            return true;
        }

        private ReadResult Note(ReadResult result)
        {
            if (!state.InRequest)
            {
                var length = (int)Math.Min(result.Buffer.Length, state.LineStart.Length);
                result.Buffer.Slice(0, length).CopyTo(state.LineStart);
                state.LineStartLength = length;
            }

            return result;
        }

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    /// <summary>
    /// Writes straight through while a request is in the application; otherwise holds what is written until it is flushed,
    /// then either rewrites it (a bodiless HTTP/1.x error) or passes it on unchanged.
    /// </summary>
    private sealed class RewritingWriter(PipeWriter inner, ConnectionState state) : PipeWriter
    {
        private readonly ArrayBufferWriter<byte> _held = new();
        private bool _lastFromHeld;

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            if (UseHeld())
                return _held.GetMemory(sizeHint);
            return inner.GetMemory(sizeHint);
        }

        public override Span<byte> GetSpan(int sizeHint = 0)
        {
            if (UseHeld())
                return _held.GetSpan(sizeHint);
            return inner.GetSpan(sizeHint);
        }

        public override void Advance(int bytes)
        {
            if (_lastFromHeld)
                _held.Advance(bytes);
            else
                inner.Advance(bytes);
        }

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes + _held.WrittenCount;

        public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (_held.WrittenCount > 0)
            {
                var rewritten = await RewriteAsync(_held.WrittenSpan.ToArray()).ConfigureAwait(false);
                PassOn(rewritten);
            }

            return await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null)
        {
            PassOn(_held.WrittenSpan.ToArray()); // unflushed at completion: passed on as written
            inner.Complete(exception);
        }

        public override async ValueTask CompleteAsync(Exception? exception = null)
        {
            if (_held.WrittenCount > 0)
                PassOn(await RewriteAsync(_held.WrittenSpan.ToArray()).ConfigureAwait(false));
            await inner.CompleteAsync(exception).ConfigureAwait(false);
        }

        /// <summary>Whether the next write is held; a switch back to writing through first passes on what is held, in order.</summary>
        private bool UseHeld()
        {
            if (state.InRequest)
            {
                if (_held.WrittenCount > 0)
                    PassOn(_held.WrittenSpan.ToArray());
                _lastFromHeld = false;
                return false;
            }

            _lastFromHeld = true;
            return true;
        }

        private void PassOn(ReadOnlySpan<byte> bytes)
        {
            if (!bytes.IsEmpty)
                inner.Write(bytes);
            _held.Clear();
        }

        private async ValueTask<byte[]> RewriteAsync(byte[] written)
        {
            if (!TryReadBodilessError(written, out var statusLine, out var headers))
                return written;

            var status = int.Parse(statusLine.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
            var context = new DefaultHttpContext { RequestServices = state.Services };
            context.Request.Path = RequestPath(state.LineStart.AsSpan(0, state.LineStartLength));
            using var body = new MemoryStream();
            context.Response.Body = body;
            await HttpEdges.WriteAsync(context, state.FhirPrefix, status, Sentence(status)).ConfigureAwait(false);

            var response = new StringBuilder(statusLine).Append("\r\n");
            foreach (var header in headers.Where(h => !h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)))
                response.Append(header).Append("\r\n");
            response.Append("Content-Type: ").Append(context.Response.ContentType).Append("\r\n")
                .Append("Content-Length: ").Append(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n\r\n");
            return [.. Encoding.ASCII.GetBytes(response.ToString()), .. body.ToArray()];
        }
    }

    /// <summary>An HTTP/1.x status of 400 or more, its header block complete, with Content-Length 0 and no content type or transfer coding.</summary>
    private static bool TryReadBodilessError(byte[] written, out string statusLine, out string[] headers)
    {
        statusLine = "";
        headers = [];
        var end = written.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0 || end != written.Length - 4 || !written.AsSpan().StartsWith("HTTP/1."u8))
            return false;
        var lines = Encoding.ASCII.GetString(written, 0, end).Split("\r\n");
        if (lines[0].Length < 12 || lines[0][8] != ' ' || !int.TryParse(lines[0].AsSpan(9, 3), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var status) || status < 400)
            return false;
        var rest = lines[1..];
        if (!rest.Any(h => h.Equals("Content-Length: 0", StringComparison.OrdinalIgnoreCase))
            || rest.Any(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase) || h.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase)))
            return false;
        statusLine = lines[0];
        headers = rest;
        return true;
    }

    /// <summary>The path of a request line's target, as far as it can be read (up to a query, escape or space), for choosing the format.</summary>
    private static PathString RequestPath(ReadOnlySpan<byte> lineStart)
    {
        var space = lineStart.IndexOf((byte)' ');
        if (space < 0)
            return PathString.Empty;
        var target = lineStart[(space + 1)..];
        var stop = target.IndexOfAny("?% \r\n"u8);
        var path = Encoding.ASCII.GetString(stop < 0 ? target : target[..stop]);
        return path.StartsWith('/') ? new PathString(path) : PathString.Empty;
    }

    private static string Sentence(int status) => status switch
    {
        StatusCodes.Status400BadRequest =>
            "The request could not be read: its request line or headers are malformed (for example, %00 or another control character in the path).",
        StatusCodes.Status408RequestTimeout => "The request's headers did not arrive in time.",
        StatusCodes.Status414UriTooLong => $"The request line is longer than {HttpEdges.KestrelMaxRequestLineBytes} bytes.",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "The request's headers are larger than this server accepts.",
        StatusCodes.Status505HttpVersionNotsupported => "This server speaks HTTP/1.1.",
        _ => $"The request could not be read (HTTP status {status}).",
    };
}
