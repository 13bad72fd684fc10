using System.Net;
using System.Net.Sockets;
using Chronicle.Record.Application;
using Chronicle.Record.Fhir.Api;
using Chronicle.Record.Fhir.Projection;
using Chronicle.Record.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chronicle.Record.Benchmarks;

/// <summary>
/// The Record service assembled in-process from its building blocks, as its Program.cs would: Kestrel on two real
/// loopback ports, FHIR REST over HTTP/1.1 on one and the gRPC commands over HTTP/2 cleartext (h2c) on the other.
/// The FHIR projection does not start with the host; the benchmark starts (and stops) it to time the catch-up.
/// </summary>
internal sealed class RecordHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RecordHost(WebApplication app, int fhirPort, int grpcPort)
    {
        _app = app;
        FhirAddress = new Uri($"http://127.0.0.1:{fhirPort}");
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
    }

    public Uri FhirAddress { get; }

    public Uri GrpcAddress { get; }

    public RecordFhirReadModel ReadModel => _app.Services.GetRequiredService<RecordFhirReadModel>();

    public static async Task<RecordHost> StartAsync(RecordBackend backend, int stateCacheRecords)
    {
        var fhirPort = FreeLoopbackPort();
        var grpcPort = FreeLoopbackPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, fhirPort, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddSingleton(backend.Store);
        builder.Services.AddSingleton(backend.ReadModels);
        builder.Services.AddSingleton(new RecordStateCacheOptions { MaxRecords = stateCacheRecords });
        builder.Services.AddRecordCommands();
        builder.Services.AddRecordFhir(options => options.RunProjection = false);

        var app = builder.Build();
        app.MapRecordFhir();
        app.MapRecordGrpc();
        await app.StartAsync();
        return new RecordHost(app, fhirPort, grpcPort);
    }

    /// <summary>A free port on 127.0.0.1 (Kestrel's own port 0 would not say which listener got which port).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
