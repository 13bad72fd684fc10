using System.Net;
using System.Net.Sockets;
using Chronicle.Contracts.Record.V1;
using Chronicle.EventStore;
using Chronicle.Record.Grpc;
using Chronicle.Security;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Chronicle.Testing;

namespace Chronicle.Record.Tests.Grpc;

/// <summary>
/// The record's gRPC service on a real Kestrel socket (HTTP/2 cleartext on loopback) over a test's own event store,
/// with a real gRPC client channel.
/// </summary>
internal sealed class RecordServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;
    private readonly TestStorage _store;

    private RecordServer(WebApplication app, GrpcChannel channel, TestStorage store)
    {
        _app = app;
        _channel = channel;
        _store = store;
        Client = new PatientRecord.PatientRecordClient(channel);
    }

    public PatientRecord.PatientRecordClient Client { get; }

    public Task<IReadOnlyList<RecordedEvent>> GlobalLogAsync() => _store.GlobalLogAsync();

    /// <param name="security">
    /// When given, libs/Security's interceptor guards the service as in the host, with the authentication and the
    /// <see cref="Chronicle.Security.IPatientAccessChecker"/> this registers.
    /// </param>
    public static async Task<RecordServer> StartAsync(StorageBackend storage, Action<IServiceCollection>? security = null)
    {
        var store = await RecordTestStorage.CreateAsync(storage);
        var port = FreeLoopbackPort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddSingleton<IEventStore>(store.Events);
        builder.Services.AddGrpc();
        if (security is not null)
        {
            builder.Services.AddGrpc(options => options.AddChronicleSecurity());
            security(builder.Services);
        }

        builder.Services.AddRecordCommands();

        var app = builder.Build();
        if (security is not null)
            app.UseAuthentication();
        app.MapRecordGrpc();
        await app.StartAsync();
        return new RecordServer(app, GrpcChannel.ForAddress($"http://127.0.0.1:{port}"), store);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _store.DisposeAsync();
    }
}
