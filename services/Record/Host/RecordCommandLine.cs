using Chronicle.Projections;
using Chronicle.Contracts.Demo;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Chronicle.Auditing;
using Chronicle.EventStore;
using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Api;
using Chronicle.Record.Synthetic;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Host;

/// <summary>
/// Runs the Record executable: reads the command line and configuration, opens the storage, then serves or generates.
/// Everything a launcher or a person needs is printed as one line each: the storage, the bound URLs
/// ("Chronicle Record FHIR listening on http://127.0.0.1:5100/fhir"), and a configuration problem (exit code 2) or
/// failure to start (exit code 1) as one sentence on standard error.
/// </summary>
public static class RecordCommandLine
{
    public const string Banner = "Chronicle Record";
    private const int DemoSeed = 1;
    private const int ExitFailure = 1;
    private const int ExitConfiguration = 2;
    private const int ExitInterrupted = 130;

    /// <param name="args">The process's arguments.</param>
    /// <param name="compose">Builds the service from a builder whose storage and settings are registered.</param>
    public static async Task<int> RunAsync(string[] args, Func<WebApplicationBuilder, RecordHostSettings, WebApplication> compose)
    {
        ArgumentNullException.ThrowIfNull(compose);
        var showDetails = false;
        try
        {
            var command = RecordCommand.Parse(args);
            if (command is HelpCommand)
            {
                Console.WriteLine(RecordCommand.Usage);
                return 0;
            }

            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                Args = [.. command.ConfigurationArgs],
                // appsettings.json sits beside the executable; relative data paths still follow the working directory.
                ContentRootPath = AppContext.BaseDirectory,
            });
            showDetails = builder.Environment.IsDevelopment();
            var settings = RecordHostSettings.From(builder.Configuration);
            using var interrupt = new InterruptBeforeHost();
            await using var storage = await RecordStorage.OpenAsync(settings, interrupt.Token).ConfigureAwait(false);
            Console.WriteLine($"{Banner} storage: {storage.Description}");
            switch (command)
            {
                case GenerateCommand generate:
                    await WriteSyntheticAsync(storage.Events, generate.Patients, generate.Seed, generate.Today, interrupt.Token).ConfigureAwait(false);
                    return 0;
                case ServeCommand serve:
                    if (serve.DemoPatients > 0)
                        await SeedDemoAsync(storage.Events, serve.DemoPatients, interrupt.Token).ConfigureAwait(false);
                    interrupt.Dispose();
                    builder.Services.AddRecordStorage(settings, storage);
                    AddAuditSigning(builder, settings);
                    await ServeAsync(compose(builder, settings), serve.DemoPatients > 0).ConfigureAwait(false);
                    return 0;
                case RebuildCommand rebuild:
                    // The service as it serves (its projections registered by its own compose), but not started: only the
                    // named projection runs, here, beside a Record that may be serving from the same storage.
                    builder.Services.AddRecordStorage(settings, storage);
                    AddAuditSigning(builder, settings);
                    await using (var app = compose(builder, settings))
                        return await ProjectionRebuild.RunAsync(app.Services, rebuild.Projection, Console.Out, Console.Error, interrupt.Token)
                            .ConfigureAwait(false);
                default:
                    throw new UnreachableException($"Unhandled command {command}.");
            }
        }
        catch (RecordConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"{Banner}: {e.Message}").ConfigureAwait(false);
            return ExitConfiguration;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"{Banner}: interrupted.").ConfigureAwait(false);
            return ExitInterrupted;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"{Banner} could not run: {OneLine(e)}").ConfigureAwait(false);
            if (showDetails)
                await Console.Error.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            return ExitFailure;
        }
    }

    /// <summary>The key the outbox relay signs the Record's audit entries with (Chronicle:Auditing:SigningKey).</summary>
    private static void AddAuditSigning(WebApplicationBuilder builder, RecordHostSettings settings)
    {
        try
        {
            builder.Services.AddAuditSigning(builder.Configuration, settings.DataDirectory);
        }
        catch (AuditSigningConfigurationException e)
        {
            throw new RecordConfigurationException(e.Message, e);
        }
    }

    private static async Task ServeAsync(WebApplication app, bool demo)
    {
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync().ConfigureAwait(false);
            var listeners = app.Services.GetRequiredService<Chronicle.ServiceDefaults.ServiceListeners>();
            var fhir = listeners.HttpUrl(app.Services.GetRequiredService<IOptions<RecordFhirOptions>>().Value.RoutePrefix);
            Console.WriteLine($"{Banner} FHIR listening on {fhir}");
            Console.WriteLine($"{Banner} gRPC listening on {listeners.GrpcAddress.GetLeftPart(UriPartial.Authority)}");
            Console.WriteLine($"{Banner} health on {new Uri(listeners.HttpBase, RecordHostExtensions.LivenessPath)} and {new Uri(listeners.HttpBase, RecordHostExtensions.ReadinessPath)}");
            if (demo)
                await PrintExamplesAsync(app.Services.GetRequiredService<IEventStore>(), fhir,
                    Chronicle.Security.SecurityStartup.IsEnforced(app.Services)
                        ? app.Configuration[$"{Chronicle.Security.ChronicleSecurityOptions.Section}:{nameof(Chronicle.Security.ChronicleSecurityOptions.Authority)}"]
                        : null).ConfigureAwait(false);
            // Ctrl+C or SIGTERM: the host stops the projection; the caller then disposes the stores.
            await app.WaitForShutdownAsync().ConfigureAwait(false);
        }
    }

    private static async Task SeedDemoAsync(IEventStore store, int patients, CancellationToken cancellationToken)
    {
        if ((await store.ReadAllAsync(LogPosition.Start, 1, cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            Console.WriteLine($"{Banner} demo: the store already holds a record, so no synthetic patients were added.");
            return;
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        // The demo patient account's own record first, so patient self-access can be shown; its NHS number is the one
        // after the generated patients', so no generated patient is left out for it.
        var demoPatient = new SyntheticRecords(DemoSeed, today).Patient(patients, DemoAccounts.PatientId, DemoAccounts.PracticeOds);
        await new SyntheticRecordWriter(store).WriteAsync(demoPatient, cancellationToken).ConfigureAwait(false);
        await WriteSyntheticAsync(store, patients, DemoSeed, today, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteSyntheticAsync(IEventStore store, int patients, int seed, DateOnly today, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        var summary = await new SyntheticRecordWriter(store).WriteAsync(new SyntheticRecords(seed, today), patients, cancellationToken).ConfigureAwait(false);
        var stored = await store.CountEventsAfterAsync(LogPosition.Start, cancellationToken).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Banner} generated {summary.Patients} synthetic patients (seed {seed}, today {today:yyyy-MM-dd}): {summary.Written} written, " +
            $"{summary.AlreadyPresent} already present, {summary.NhsNumberTaken} left out (NHS number registered to another patient); " +
            $"{summary.RecordEvents} events appended; the store holds {stored} events; {elapsed.Elapsed.TotalSeconds:0.0} s"));
    }

    /// <summary>
    /// A few requests to try, about the demo patient (else the first patient registered at the demo practice, else the
    /// first at all), and with Identity beside it a ready-to-paste token command for the demo module.
    /// </summary>
    private static async Task PrintExamplesAsync(IEventStore store, Uri fhir, string? authority)
    {
        var registry = RecordEventsJsonContext.CreateRegistry();
        var position = LogPosition.Start;
        for (var page = 0; page < 10; page++)
        {
            var events = await store.ReadAllAsync(position, 1000).ConfigureAwait(false);
            // A patient of the practice Identity's demo directory has staff and an enabled module at, so a demo token reaches them.
            var registered = events.Where(e => e.EventType == "V1.PatientRegistered").Select(e => registry.Deserialize(e)).OfType<PatientRegistered>().ToList();
            if ((registered.FirstOrDefault(p => p.PatientId == DemoAccounts.PatientId)
                    ?? registered.FirstOrDefault(p => p.PracticeOds == DemoAccounts.PracticeOds) ?? registered.FirstOrDefault()) is { } patient)
            {
                var id = new PatientId(patient.PatientId).ToString();
                Console.WriteLine($"{Banner} demo: try {fhir}/Patient/{id}");
                Console.WriteLine($"{Banner} demo: try {fhir}/Patient?name={Uri.EscapeDataString(patient.Demographics.Name.Family)}");
                Console.WriteLine($"{Banner} demo: try {fhir}/Observation?patient={id}&_count=10");
                Console.WriteLine($"{Banner} demo: try {fhir}/Patient/{id}/$everything");
                if (Uri.TryCreate(authority, UriKind.Absolute, out var issuer))
                {
                    // Every read needs a token: a bare URL answers 401. These two lines paste into a shell as they are.
                    Console.WriteLine($"{Banner} demo: every request needs a token; as the demo module (enabled at {DemoAccounts.PracticeOds}), paste:");
                    Console.WriteLine($"  {DemoAccounts.TokenCommand(issuer)}");
                    Console.WriteLine($"  curl -s -H \"Authorization: Bearer $TOKEN\" {fhir}/Patient/{id}");
                }

                return;
            }

            if (events.Count == 0)
                break;
            position = events[^1].LogPosition;
        }

        Console.WriteLine($"{Banner} demo: try {fhir}/metadata");
    }

    private static string OneLine(Exception e)
    {
        var message = e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? $"{e.Message} ({inner.Message})"
            : e.Message;
        return message.ReplaceLineEndings(" ");
    }

    /// <summary>Ctrl+C or SIGTERM while storage opens or synthetic data is written; the web host handles them once it runs.</summary>
    private sealed class InterruptBeforeHost : IDisposable
    {
        private readonly CancellationTokenSource _interrupted = new();
        private readonly PosixSignalRegistration[] _registrations;
        private bool _disposed;

        public InterruptBeforeHost()
        {
            _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt)];
        }

        public CancellationToken Token => _interrupted.Token;

        private void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            _interrupted.Cancel();
        }

        public void Dispose()
        {
            if (_disposed)
                return;
            _disposed = true;
            foreach (var registration in _registrations)
                registration.Dispose();
            _interrupted.Dispose();
        }
    }
}
