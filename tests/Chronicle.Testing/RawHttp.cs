using System.Net.Sockets;
using System.Text;

namespace Chronicle.Testing;

/// <summary>
/// HTTP/1.1 over a plain socket, for what HttpClient will not send (a <c>%00</c> in the path, several requests on one
/// connection exactly as written): sends the bytes and reads until the server closes the connection.
/// </summary>
public static class RawHttp
{
    /// <summary>One request with a Host header and Connection: close, for <paramref name="target"/> as written.</summary>
    public static Task<string> GetAsync(Uri server, string target) =>
        ExchangeAsync(server, $"GET {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n\r\n");

    /// <summary>Sends <paramref name="requests"/> as they are and returns everything the server answered before closing.</summary>
    public static async Task<string> ExchangeAsync(Uri server, string requests)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await client.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(requests), timeout.Token);
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, timeout.Token);
        return Encoding.UTF8.GetString(answer.ToArray());
    }

    /// <summary>The responses in <paramref name="answer"/>, each as its status code, headers (names lower-cased) and body.</summary>
    public static IReadOnlyList<RawResponse> Split(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var responses = new List<RawResponse>();
        var at = 0;
        while (at < answer.Length)
        {
            var headEnd = answer.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            if (headEnd < 0)
                throw new FormatException($"An incomplete response: {answer[at..]}");
            var lines = answer[at..headEnd].Split("\r\n");
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
            var bodyStart = headEnd + 4;
            var length = headers.TryGetValue("content-length", out var declared) ? int.Parse(declared, System.Globalization.CultureInfo.InvariantCulture)
                : throw new FormatException("A response without Content-Length (these tests send nothing that is chunked back).");
            responses.Add(new RawResponse(int.Parse(lines[0].AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture), headers,
                answer.Substring(bodyStart, length)));
            at = bodyStart + length;
        }

        return responses;
    }
}

/// <summary>One response read by <see cref="RawHttp"/>.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body);
