using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Chronicle.Testing;

/// <summary>
/// The lines the Record and Audit executables print once they listen, keyed as <see cref="ServiceProcess"/> reads them
/// (<c>process["fhir"]</c>, <c>process["grpc"]</c>, <c>process["http"]</c>), and a free loopback port for a service
/// whose address must be known before it starts.
/// </summary>
public static partial class ServiceAnnouncements
{
    public static IReadOnlyDictionary<string, Regex> Record => new Dictionary<string, Regex> { ["fhir"] = RecordFhirLine(), ["grpc"] = RecordGrpcLine() };

    public static IReadOnlyDictionary<string, Regex> Audit => new Dictionary<string, Regex> { ["http"] = AuditHttpLine(), ["grpc"] = AuditGrpcLine() };

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> Issued = new();

    /// <summary>
    /// A loopback port that is free now, for a service that must be told another's address before either starts. It is
    /// chosen below the kernel's ephemeral range (32768 and up on Linux), which every port-0 listener and every outgoing
    /// connection of the parallel test processes draws from: a port from that range can be taken between this check and
    /// the service's bind, and was. Each port is handed out once per process.
    /// </summary>
    public static int FreeLoopbackPort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 32768);
            if (!Issued.TryAdd(port, true))
                continue;
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port) { ExclusiveAddressUse = true };
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: try another.
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^Chronicle Record FHIR listening on (\S+)$")]
    private static partial Regex RecordFhirLine();

    [GeneratedRegex(@"^Chronicle Record gRPC listening on (\S+)$")]
    private static partial Regex RecordGrpcLine();

    [GeneratedRegex(@"^Chronicle Audit HTTP listening on (\S+)$")]
    private static partial Regex AuditHttpLine();

    [GeneratedRegex(@"^Chronicle Audit gRPC listening on (\S+)$")]
    private static partial Regex AuditGrpcLine();
}
