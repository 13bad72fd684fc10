using Chronicle.Auditing;
using Chronicle.Record.Host;
using Chronicle.ServiceDefaults;
using Chronicle.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chronicle.Fhir.Tests;

/// <summary>
/// The Record in process, made as its executable makes it: <see cref="RecordService.Compose"/> (what Program.cs runs) over
/// the storage and audit signing key its command line adds, security on (tokens from an Identity that is never reached
/// here) and auditing on, listening on free loopback ports. <paramref name="overrides"/> replace services after compose
/// (<see cref="ServiceOverrides"/>).
/// </summary>
public sealed class ComposedRecord : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RecordStorage _storage;

    private ComposedRecord(WebApplication app, RecordStorage storage)
    {
        _app = app;
        _storage = storage;
    }

    public IServiceProvider Services => _app.Services;

    public Uri HttpBase => Services.GetRequiredService<ServiceListeners>().HttpBase;

    public static async Task<ComposedRecord> StartAsync(TestStorage storage, Action<IServiceCollection>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args =
            [
                "--Chronicle:Ports:Fhir=0", "--Chronicle:Ports:Grpc=0", "--Chronicle:Transport=direct", "--Chronicle:AppId=record",
                $"--{TestAppApiToken.Setting}={TestAppApiToken.Value}", "--Chronicle:Security:Authority=http://127.0.0.1:9",
                .. storage.HostArguments("Record"),
            ],
        });
        builder.Logging.ClearProviders();
        var settings = RecordHostSettings.From(builder.Configuration);
        var recordStorage = await RecordStorage.OpenAsync(settings);
        try
        {
            // What the command line adds before compose, as RecordCommandLine's serve does.
            builder.Services.AddRecordStorage(settings, recordStorage);
            builder.Services.AddAuditSigning(builder.Configuration, settings.DataDirectory);
            var app = ServiceOverrides.Apply<RecordHostSettings>(RecordService.Compose, overrides)(builder, settings);
            await app.StartAsync();
            return new ComposedRecord(app, recordStorage);
        }
        catch
        {
            await recordStorage.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _storage.DisposeAsync();
    }
}
