using System.Diagnostics;
using System.Globalization;
using Chronicle.Contracts.Demo;
using Chronicle.EventStore;
using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Api;
using Chronicle.Record.Synthetic;
using Chronicle.Security;
using Chronicle.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Host;

/// <summary>
/// What the shared host (<see cref="ServiceHost"/>) needs to know about the Record: its settings, storage, banner
/// ("Chronicle Record FHIR listening on http://127.0.0.1:5100/fhir"), <c>serve --demo N</c>, and the verbs
/// <c>generate</c> and <c>rebuild --projection NAME</c>.
/// </summary>
public static class RecordHost
{
    public const string Usage = """
        Usage:
          Chronicle.Record [serve] [--demo N] [settings]
              Serve the Record: FHIR R4 REST (HTTP/1.1) and gRPC commands (h2c). --demo N first stores N synthetic
              patients if the store is empty, and prints example URLs.
          Chronicle.Record generate --patients N [--seed S] [--today yyyy-MM-dd] [settings]
              Store N synthetic patients' histories. The same seed adds nothing the second time.
          Chronicle.Record rebuild --projection NAME [settings]
              Replay the whole log into fresh tables of the projection NAME (record-fhir) and swap them in, while a
              running Record keeps serving reads from the live ones.

        Settings (appsettings.json, environment variables such as Chronicle__Storage, or arguments):
          --Chronicle:Storage=sqlite|postgres          default sqlite
          --Chronicle:DataDirectory=PATH               SQLite files; default ./data/record
          --ConnectionStrings:Record=CONNECTION        PostgreSQL, e.g. "Host=localhost;Database=chronicle_record;Username=chronicle"
          --Chronicle:Ports:Fhir=5100                  0 picks a free port
          --Chronicle:Ports:Grpc=5101                  0 picks a free port
          --Chronicle:ListenAnyIp=false                true listens on every interface (containers)
          --Chronicle:ReadYourWritesWait=00:00:05      how long a command reply waits for the FHIR read model
          --Chronicle:Auditing:SigningKey=PEM          the key audit entries are signed with (a PEM path or text); without
                                                       one, a development key in the data directory (required under Dapr)
        """;

    private const int DemoSeed = 1;

    public static ServiceBanner Banner { get; } = new("Record");

    public static ServiceHostDefinition<RecordHostSettings> Definition { get; } = new()
    {
        Banner = Banner,
        Usage = Usage,
        ReadSettings = RecordHostSettings.From,
        OpenStorage = RecordStorage.OpenAsync,
        Listening =
        [
            new("FHIR", host => FhirUrl(host).ToString()),
            new("gRPC", host => host.Listeners.GrpcAddress.GetLeftPart(UriPartial.Authority)),
        ],
        ServeOptions = [ServiceOption.Count("--demo", "patients")],
        BeforeServeAsync = SeedDemoAsync,
        StartedLines = host =>
        [
            Banner.Line($"health on {new Uri(host.Listeners.HttpBase, ServiceHealth.LivenessPath)} and {new Uri(host.Listeners.HttpBase, ServiceHealth.ReadinessPath)}"),
        ],
        AfterStartAsync = PrintDemoExamplesAsync,
        Verbs =
        [
            new("generate")
            {
                Options =
                [
                    ServiceOption.Count("--patients", "patients") with { RequiredMessage = "generate needs --patients N (how many synthetic patients to store)." },
                    new("--seed") { Check = value => _ = Seed(value) },
                    new("--today") { Check = value => _ = Today(value) },
                ],
                RunAsync = GenerateAsync,
            },
            ServiceVerb<RecordHostSettings>.RebuildProjection,
        ],
    };

    private static Uri FhirUrl(RunningServiceHost<RecordHostSettings> host) =>
        host.Listeners.HttpUrl(host.Services.GetRequiredService<IOptions<RecordFhirOptions>>().Value.RoutePrefix);

    private static async Task<int> GenerateAsync(ServiceVerbContext<RecordHostSettings> context)
    {
        var command = context.Command;
        var patients = ServiceOption.ReadCount("--patients", command.Option("--patients")!, "patients");
        var seed = command.Option("--seed") is { } seedText ? Seed(seedText) : 1;
        var today = command.Option("--today") is { } todayText ? Today(todayText) : DateOnly.FromDateTime(DateTime.UtcNow);
        await WriteSyntheticAsync(context, patients, seed, today).ConfigureAwait(false);
        return ServiceHost.Succeeded;
    }

    private static int Seed(string text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
        ? seed
        : throw new ServiceConfigurationException($"--seed must be a whole number; it is '{text}'.");

    private static DateOnly Today(string text) => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var today)
        ? today
        : throw new ServiceConfigurationException($"--today must be a date as yyyy-MM-dd; it is '{text}'.");

    private static int DemoPatients(ServiceCommand command) =>
        command.Option("--demo") is { } demo ? ServiceOption.ReadCount("--demo", demo, "patients") : 0;

    private static async Task SeedDemoAsync(ServiceVerbContext<RecordHostSettings> context)
    {
        var patients = DemoPatients(context.Command);
        if (patients == 0)
            return;
        var store = context.Storage.Events;
        if ((await store.ReadAllAsync(LogPosition.Start, 1, context.Interrupted).ConfigureAwait(false)).Count > 0)
        {
            await context.Output.WriteLineAsync(Banner.Line("demo: the store already holds a record, so no synthetic patients were added.")).ConfigureAwait(false);
            return;
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        // The demo patient account's own record first, so patient self-access can be shown; its NHS number is the one
        // after the generated patients', so no generated patient is left out for it.
        var demoPatient = new SyntheticRecords(DemoSeed, today).Patient(patients, DemoAccounts.PatientId, DemoAccounts.PracticeOds);
        await new SyntheticRecordWriter(store).WriteAsync(demoPatient, context.Interrupted).ConfigureAwait(false);
        await WriteSyntheticAsync(context, patients, DemoSeed, today).ConfigureAwait(false);
    }

    private static async Task WriteSyntheticAsync(ServiceVerbContext<RecordHostSettings> context, int patients, int seed, DateOnly today)
    {
        var store = context.Storage.Events;
        var elapsed = Stopwatch.StartNew();
        var summary = await new SyntheticRecordWriter(store).WriteAsync(new SyntheticRecords(seed, today), patients, context.Interrupted).ConfigureAwait(false);
        var stored = await store.CountEventsAfterAsync(LogPosition.Start, context.Interrupted).ConfigureAwait(false);
        await context.Output.WriteLineAsync(Banner.Line(string.Create(CultureInfo.InvariantCulture,
            $"generated {summary.Patients} synthetic patients (seed {seed}, today {today:yyyy-MM-dd}): {summary.Written} written, " +
            $"{summary.AlreadyPresent} already present, {summary.NhsNumberTaken} left out (NHS number registered to another patient); " +
            $"{summary.RecordEvents} events appended; the store holds {stored} events; {elapsed.Elapsed.TotalSeconds:0.0} s"))).ConfigureAwait(false);
    }

    /// <summary>
    /// With <c>--demo</c>: a few requests to try, about the demo patient (else the first patient registered at the demo
    /// practice, else the first at all), and with Identity beside it a ready-to-paste token command for the demo module.
    /// </summary>
    private static async Task PrintDemoExamplesAsync(RunningServiceHost<RecordHostSettings> host, TextWriter output)
    {
        if (DemoPatients(host.Command) == 0)
            return;
        var fhir = FhirUrl(host);
        var authority = SecurityStartup.IsEnforced(host.Services)
            ? host.App.Configuration[$"{ChronicleSecurityOptions.Section}:{nameof(ChronicleSecurityOptions.Authority)}"]
            : null;
        var store = host.Services.GetRequiredService<IEventStore>();
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
                await output.WriteLineAsync(Banner.Line($"demo: try {fhir}/Patient/{id}")).ConfigureAwait(false);
                await output.WriteLineAsync(Banner.Line($"demo: try {fhir}/Patient?name={Uri.EscapeDataString(patient.Demographics.Name.Family)}")).ConfigureAwait(false);
                await output.WriteLineAsync(Banner.Line($"demo: try {fhir}/Observation?patient={id}&_count=10")).ConfigureAwait(false);
                await output.WriteLineAsync(Banner.Line($"demo: try {fhir}/Patient/{id}/$everything")).ConfigureAwait(false);
                if (Uri.TryCreate(authority, UriKind.Absolute, out var issuer))
                {
                    // Every read needs a token: a bare URL answers 401. These two lines paste into a shell as they are.
                    await output.WriteLineAsync(Banner.Line($"demo: every request needs a token; as the demo module (enabled at {DemoAccounts.PracticeOds}), paste:"))
                        .ConfigureAwait(false);
                    await output.WriteLineAsync($"  {DemoAccounts.TokenCommand(issuer)}").ConfigureAwait(false);
                    await output.WriteLineAsync($"  curl -s -H \"Authorization: Bearer $TOKEN\" {fhir}/Patient/{id}").ConfigureAwait(false);
                }

                return;
            }

            if (events.Count == 0)
                break;
            position = events[^1].LogPosition;
        }

        await output.WriteLineAsync(Banner.Line($"demo: try {fhir}/metadata")).ConfigureAwait(false);
    }
}
