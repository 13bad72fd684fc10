using Chronicle.Record.Host;
using Chronicle.ServiceDefaults;
using Chronicle.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chronicle.Fhir.Tests;

/// <summary>
/// The Record in process, made as its executable makes it: the shared host with <see cref="RecordHost.Definition"/> and
/// <see cref="RecordService.Compose"/> (what Program.cs runs), security on (tokens from an Identity that is never reached
/// here) and auditing on, listening on free loopback ports. <paramref name="overrides"/> replace services after compose
/// (<see cref="ServiceOverrides"/>).
/// </summary>
public sealed class ComposedRecord : IAsyncDisposable
{
    private readonly RunningServiceHost<RecordHostSettings> _host;

    private ComposedRecord(RunningServiceHost<RecordHostSettings> host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public Uri HttpBase => _host.Listeners.HttpBase;

    public static async Task<ComposedRecord> StartAsync(TestStorage storage, Action<IServiceCollection>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        // The shared host opens the storage and registers it, as the executable's serve does.
        var host = await ServiceHost.StartAsync(
            [
                "--Chronicle:Ports:Fhir=0", "--Chronicle:Ports:Grpc=0", "--Chronicle:Transport=direct", "--Chronicle:AppId=record",
                $"--{TestAppApiToken.Setting}={TestAppApiToken.Value}", "--Chronicle:Security:Authority=http://127.0.0.1:9",
                .. storage.HostArguments("Record"),
            ],
            RecordHost.Definition, ServiceOverrides.Apply<RecordHostSettings>(RecordService.Compose, overrides),
            builder => builder.Logging.ClearProviders());
        return new ComposedRecord(host);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
