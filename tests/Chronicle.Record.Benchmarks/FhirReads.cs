using System.Net;
using System.Text.Json;

namespace Chronicle.Record.Benchmarks;

internal enum FhirReadKind
{
    PatientRead,
    ObservationSearch,
    PatientEverything,
}

/// <summary>The sampled requests of one kind, with what their responses held.</summary>
internal sealed record FhirReadSample(FhirReadKind Kind, string Example, int Requests, double MeanBytes, double MeanEntries, int Empty);

internal sealed record FhirReadCase(FhirReadKind Kind, int Clients, SideBySide Result);

internal sealed record FhirReadResult(int SampledPatients, IReadOnlyList<FhirReadSample> Samples, IReadOnlyList<FhirReadCase> Cases);

/// <summary>
/// FHIR reads over real HTTP/1.1 keep-alive connections, one connection per client, each client sending requests back
/// to back, chosen at random (seeded) among the sampled ones. The baseline serves the very bytes the API returned for
/// the same requests, captured just before.
/// </summary>
internal static class FhirReads
{
    public const string BloodPressure = "http://snomed.info/sct|75367002";

    public static string Describe(FhirReadKind kind) => kind switch
    {
        FhirReadKind.PatientRead => "Patient read",
        FhirReadKind.ObservationSearch => "Observation search by patient + code",
        FhirReadKind.PatientEverything => "Patient/$everything (first page)",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static string PathOf(FhirReadKind kind, Guid patientId) => kind switch
    {
        FhirReadKind.PatientRead => $"/fhir/Patient/{patientId:D}",
        FhirReadKind.ObservationSearch => $"/fhir/Observation?patient={patientId:D}&code={BloodPressure.Replace("|", "%7C", StringComparison.Ordinal)}",
        FhirReadKind.PatientEverything => $"/fhir/Patient/{patientId:D}/$everything",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static async Task<FhirReadResult> RunAsync(RecordHost host, PatientRoster roster, BenchmarkSettings settings, TextWriter progress)
    {
        var patients = SamplePatients(roster, settings);
        var paths = Enum.GetValues<FhirReadKind>().ToDictionary(kind => kind, kind => patients.Select(id => PathOf(kind, id)).ToArray());
        var captured = await CaptureAsync(host.FhirAddress, paths.Values.SelectMany(p => p));
        var samples = paths.Select(pair => Summarise(pair.Key, pair.Value, captured)).ToList();

        await using var baseline = await CannedResponseServer.StartAsync(captured);
        await CheckBaselineAsync(baseline.Address, captured);

        var cases = new List<FhirReadCase>();
        foreach (var (kind, kindPaths) in paths)
        {
            foreach (var clients in BenchmarkSettings.ClientCounts)
            {
                using var chronicleClients = new HttpClients(host.FhirAddress, clients);
                using var baselineClients = new HttpClients(baseline.Address, clients);
                var result = await SideBySide.MeasureAsync(
                    chronicleClients.Callers(kindPaths, settings.Seed), baselineClients.Callers(kindPaths, settings.Seed), settings);
                cases.Add(new FhirReadCase(kind, clients, result));
                progress.WriteLine($"  {Describe(kind)}, {clients} client(s): p50 {result.Chronicle.P50Milliseconds:F2} ms vs " +
                    $"{result.Baseline.P50Milliseconds:F2} ms, {result.Chronicle.CallsPerSecond:N0} vs {result.Baseline.CallsPerSecond:N0} req/s");
            }
        }

        return new FhirReadResult(patients.Count, samples, cases);
    }

    /// <summary>The paths whose response differs now from <paramref name="before"/> (a rebuild must not change a byte).</summary>
    public static async Task<IReadOnlyList<string>> ChangedSinceAsync(Uri fhirAddress, IReadOnlyDictionary<string, CapturedResponse> before)
    {
        var now = await CaptureAsync(fhirAddress, before.Keys);
        return before.Where(pair => !pair.Value.Body.AsSpan().SequenceEqual(now[pair.Key].Body)).Select(pair => pair.Key).ToList();
    }

    /// <summary>A seeded choice of distinct patients, the same in every run with the same seed and size.</summary>
    public static IReadOnlyList<Guid> SamplePatients(PatientRoster roster, BenchmarkSettings settings)
    {
        var indexes = Enumerable.Range(0, roster.Count).ToArray();
        new Random(settings.Seed).Shuffle(indexes);
        return indexes.Take(settings.SamplePatients).Select(i => roster.Ids[i]).ToList();
    }

    public static async Task<Dictionary<string, CapturedResponse>> CaptureAsync(Uri address, IEnumerable<string> paths)
    {
        using var http = new HttpClient { BaseAddress = address };
        var captured = new Dictionary<string, CapturedResponse>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            using var response = await http.GetAsync(path);
            if (response.StatusCode != HttpStatusCode.OK)
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            captured[path] = new CapturedResponse(response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream",
                await response.Content.ReadAsByteArrayAsync());
        }

        return captured;
    }

    private static FhirReadSample Summarise(FhirReadKind kind, IReadOnlyList<string> paths, IReadOnlyDictionary<string, CapturedResponse> captured)
    {
        var entries = paths.Select(p => EntryCount(captured[p].Body)).ToList();
        return new FhirReadSample(kind, paths[0], paths.Count, paths.Average(p => captured[p].Body.Length), entries.Average(), entries.Count(e => e == 0));
    }

    /// <summary>A Bundle's entries, or 1 for a single resource.</summary>
    private static int EntryCount(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.GetProperty("resourceType").GetString() != "Bundle")
            return 1;
        return root.TryGetProperty("entry", out var entry) ? entry.GetArrayLength() : 0;
    }

    /// <summary>Every sampled request must reach its captured bytes in the baseline, or the comparison would be of errors.</summary>
    private static async Task CheckBaselineAsync(Uri baseline, IReadOnlyDictionary<string, CapturedResponse> captured)
    {
        var served = await CaptureAsync(baseline, captured.Keys);
        var different = served.FirstOrDefault(pair => !pair.Value.Body.AsSpan().SequenceEqual(captured[pair.Key].Body)
            || pair.Value.ContentType != captured[pair.Key].ContentType);
        if (different.Key is not null)
            throw new InvalidOperationException($"The baseline does not serve the captured response of {different.Key}.");
    }

    /// <summary>One HttpClient (one keep-alive HTTP/1.1 connection) per client.</summary>
    private sealed class HttpClients(Uri address, int count) : IDisposable
    {
        private readonly HttpClient[] _clients = Enumerable.Range(0, count).Select(_ => new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            UseProxy = false,
            UseCookies = false,
        })
        {
            BaseAddress = address,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        }).ToArray();

        /// <summary>Each client reads the whole body of every response; client i draws its requests from its own seeded sequence.</summary>
        public IReadOnlyList<Func<Task>> Callers(IReadOnlyList<string> paths, int seed) => _clients.Select((http, i) =>
        {
            var random = new Random(seed + 7919 * (i + 1));
            return (Func<Task>)(() => http.GetByteArrayAsync(paths[random.Next(paths.Count)]));
        }).ToList();

        public void Dispose()
        {
            foreach (var client in _clients)
                client.Dispose();
        }
    }
}
