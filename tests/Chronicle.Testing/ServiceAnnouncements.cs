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

    public static int FreeLoopbackPort()
    {
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
