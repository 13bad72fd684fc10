using System.Net;
using Chronicle.EventStore;
using Chronicle.Fhir.Http;
using Chronicle.Projections;
using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Api;
using Chronicle.Record.Fhir.Projection;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Task = System.Threading.Tasks.Task;
using Chronicle.Record.Application;
using Chronicle.Testing;

namespace Chronicle.Record.FhirApi.Tests;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port, HTTP/1.1) serving the Record's FHIR API over a real event store
/// and read-model database. Events are appended straight to the store, as the command side would.
/// </summary>
public sealed class FhirApiServer : IAsyncDisposable
{
    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();
    private readonly WebApplication _app;
    private readonly TestStorage _backend;

    private FhirApiServer(WebApplication app, TestStorage backend, Uri fhirBase)
    {
        _app = app;
        _backend = backend;
        FhirBase = fhirBase;
        Http = new HttpClient { BaseAddress = new Uri(fhirBase.AbsoluteUri + "/") };
    }

    public Uri FhirBase { get; }
    public HttpClient Http { get; }
    public IEventStore Store => _backend.Events;
    public ReadModelDatabase ReadModels => _backend.ReadModels;
    public RecordFhirReadModel ReadModel => _app.Services.GetRequiredService<RecordFhirReadModel>();

    /// <summary>The Record's own schemas, as its host opens them.</summary>
    public static TestStorageOptions Storage { get; } = new()
    {
        Name = "fhir-api", EventSchema = Chronicle.Record.Host.RecordStorage.EventSchema, ReadModelSchema = Chronicle.Record.Host.RecordStorage.ReadModelSchema,
    };

    /// <param name="security">Registers what checks callers (an authentication scheme, an IPatientAccessChecker); none by default.</param>
    /// <param name="settings">Configuration settings, e.g. Chronicle:PublicBaseUrl.</param>
    public static async Task<FhirApiServer> StartAsync(TestStorage backend, Action<RecordFhirOptions>? configure = null,
        Action<IServiceCollection>? security = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        builder.Services.AddSingleton(backend.Events);
        builder.Services.AddSingleton(backend.ReadModels);
        builder.Services.AddRecordFhir(options =>
        {
            options.Projection = new ProjectionRunnerOptions { MaxPollInterval = TimeSpan.FromMilliseconds(20) };
            configure?.Invoke(options);
        });
        security?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseFhirHttpEdges();
        if (security is not null)
        {
            app.UseAuthentication();
            // With libs/Security registered whole (SignedTokens), its fallback policy and refusal answers run too.
            if (app.Services.GetService<Microsoft.AspNetCore.Authorization.IAuthorizationService>() is not null)
                app.UseAuthorization();
        }
        app.MapRecordFhir();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FhirApiServer(app, backend, new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal) + "/fhir"));
    }

    /// <summary>A Firely client that parses every response strictly: unknown elements or bad values fail the test.</summary>
    public FhirClient CreateClient() => new(FhirBase, new HttpClient(), new FhirClientSettings
    {
        PreferredFormat = ResourceFormat.Json,
        VerifyFhirVersion = false,
        SerializationEngine = FhirSerializationEngineFactory.Strict(ModelInfo.ModelInspector),
    });

    /// <summary>Appends events to the patient's stream and waits until the FHIR view shows them.</summary>
    public async Task<AppendResult> AppendAsync(Guid patientId, params object[] events)
    {
        var result = await AppendWithoutWaitingAsync(patientId, Metadata, events);
        await ReadModel.WaitForAsync(result.LastLogPosition).WaitAsync(TimeSpan.FromSeconds(30));
        return result;
    }

    public Task<AppendResult> AppendWithoutWaitingAsync(Guid patientId, EventMetadata metadata, params object[] events) =>
        Store.AppendAsync(RecordEvent.StreamOf(patientId), ExpectedVersion.Any,
            events.Select(e => Registry.ToEventData(Guid.NewGuid(), e, metadata)).ToList());

    public static EventMetadata Metadata { get; } = new()
    {
        UserId = "G8123456", Role = "GP", OrganisationOds = "A81001", ClientId = "gp-desktop", Reason = "Consultation",
    };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _backend.DisposeAsync();
    }
}
