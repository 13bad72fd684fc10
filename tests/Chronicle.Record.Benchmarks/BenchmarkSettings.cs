using System.Diagnostics.CodeAnalysis;
using Chronicle.Testing;

namespace Chronicle.Record.Benchmarks;

internal enum BenchmarkBackend
{
    Postgres,
    Sqlite,
}

/// <summary>What to run and for how long, parsed from the command line.</summary>
internal sealed record BenchmarkSettings
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/Chronicle.Record.Benchmarks -- [options]
          --patients N      synthetic patients loaded before the measurements (default 10000, about 1.2M events;
                            --quick uses 300)
          --seconds S       measured seconds per latency or command case and side, over all rounds (default 6)
          --warmup S        warm-up seconds per case and side before the first window (default 1)
          --rounds N        measured windows per case and side, alternating Chronicle/baseline (default 3)
          --writers N       concurrent writers for the load (default 8)
          --sample N        patients whose FHIR reads are sampled (default 200)
          --seed N          seed of the synthetic records and of every random choice (default 20261123)
          --quick           short smoke run: 300 patients, 1 s measured, 0.5 s warm-up, 2 rounds, 50 sampled patients
          --backend NAME    postgres (default) or sqlite
          --commands-only   load the patients, then measure only the gRPC commands (no FHIR projection, reads or rebuild)
          --state-cache N   folded records the service keeps between commands (default 160, enough for the recent-patient
                            case and far too few for the loaded-patient case ever to find one; 0 turns the cache off)
          --out PATH        also write the Markdown report to PATH
        """;

    /// <summary>The concurrent clients of every FHIR read and command case.</summary>
    public static readonly IReadOnlyList<int> ClientCounts = [1, 8];

    /// <summary>The synthetic records' "today", fixed so that every run loads the same events.</summary>
    public static readonly DateOnly SyntheticToday = new(2026, 1, 1);

    public const int DefaultPatients = 10_000;

    /// <summary>Patients of its own each client cycles through in the recent-patient command case.</summary>
    public const int RecentPatientsPerClient = 10;

    /// <summary>Twice the recent-patient case's working set at 8 clients; the loaded-patient case cycles through thousands.</summary>
    public const int DefaultStateCacheRecords = 160;

    public int Patients { get; init; } = DefaultPatients;
    public TimeSpan Measure { get; init; } = TimeSpan.FromSeconds(6);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);
    public int Rounds { get; init; } = 3;
    public int Writers { get; init; } = 8;
    public int SamplePatients { get; init; } = 200;
    public int Seed { get; init; } = 20261123;
    public BenchmarkBackend Backend { get; init; } = BenchmarkBackend.Postgres;
    public string? OutputPath { get; init; }
    public bool CommandsOnly { get; init; }
    public int StateCacheRecords { get; init; } = DefaultStateCacheRecords;
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public TimeSpan Window => Measure / Rounds;

    /// <summary>Parses <paramref name="args"/>, or writes why they are wrong and the usage to <paramref name="errors"/>.</summary>
    public static bool TryParse(string[] args, TextWriter errors, [NotNullWhen(true)] out BenchmarkSettings? settings)
    {
        try
        {
            settings = Parse(args);
            return true;
        }
        catch (ArgumentException e)
        {
            errors.WriteLine(e.Message);
            settings = null;
            return false;
        }
    }

    public static BenchmarkSettings Parse(string[] args)
    {
        var settings = new BenchmarkSettings { Arguments = args };
        if (args.Contains("--quick"))
        {
            settings = settings with
            {
                Patients = 300, Measure = TimeSpan.FromSeconds(1), Warmup = TimeSpan.FromSeconds(0.5), Rounds = 2, SamplePatients = 50,
            };
        }

        for (var i = 0; i < args.Length; i++)
        {
            settings = args[i] switch
            {
                "--quick" => settings,
                "--commands-only" => settings with { CommandsOnly = true },
                "--state-cache" => settings with { StateCacheRecords = (int)ParseNumber(args, ++i) },
                "--patients" => settings with { Patients = (int)ParseNumber(args, ++i) },
                "--seconds" => settings with { Measure = TimeSpan.FromSeconds(ParseNumber(args, ++i)) },
                "--warmup" => settings with { Warmup = TimeSpan.FromSeconds(ParseNumber(args, ++i)) },
                "--rounds" => settings with { Rounds = (int)ParseNumber(args, ++i) },
                "--writers" => settings with { Writers = (int)ParseNumber(args, ++i) },
                "--sample" => settings with { SamplePatients = (int)ParseNumber(args, ++i) },
                "--seed" => settings with { Seed = (int)ParseNumber(args, ++i) },
                "--backend" => ValueAt(args, ++i) switch
                {
                    "postgres" => settings with { Backend = BenchmarkBackend.Postgres },
                    "sqlite" => settings with { Backend = BenchmarkBackend.Sqlite },
                    var other => throw new ArgumentException($"Unknown backend '{other}'.\n{Usage}"),
                },
                "--out" => settings with { OutputPath = ValueAt(args, ++i) },
                var other => throw new ArgumentException($"Unknown option '{other}'.\n{Usage}"),
            };
        }

        // Eight command clients take disjoint patients, RecentPatientsPerClient each in the recent-patient case.
        if (settings.Patients < ClientCounts.Max() || settings.Measure <= TimeSpan.Zero || settings.Warmup < TimeSpan.Zero
            || settings.Rounds < 1 || settings.Writers < 1 || settings.SamplePatients < 1 || settings.StateCacheRecords < 0
            || settings.Patients < ClientCounts.Max() * RecentPatientsPerClient)
            throw new ArgumentException($"Out-of-range option value.\n{Usage}");
        return settings with { SamplePatients = Math.Min(settings.SamplePatients, settings.Patients) };
    }

    private static string ValueAt(string[] args, int index) => BenchmarkArguments.Value(args, index, Usage);

    private static double ParseNumber(string[] args, int index) => BenchmarkArguments.Number(args, index, Usage);
}
