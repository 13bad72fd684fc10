using Chronicle.Testing;

namespace Chronicle.EventStore.Benchmarks;

/// <summary>What to run and for how long, parsed from the command line.</summary>
internal sealed record BenchmarkSettings
{
    public const string Usage = """
        Usage: dotnet run -c Release --project tests/Chronicle.EventStore.Benchmarks -- [options]
          --seconds N          measured seconds per case and side, over all rounds (default 3)
          --warmup N           warm-up seconds per case and side before the first window (default 1)
          --rounds N           measured windows per case and side, alternating store/baseline (default 3)
          --quick              short smoke run: 1 s measured, 0.5 s warm-up, 20000 catch-up events
          --catch-up-events N  events written before the catch-up read (default 100000)
          --page-size N        ReadAllAsync / SELECT page size (default 1000)
          --batch-writers N    concurrent writers for the batch cases (default 8)
          --event-ids KIND     v7 (Guid.CreateVersion7, time-ordered, default: what Chronicle's services send) or random (Guid.NewGuid)
          --backend NAME       postgres, sqlite or both (default both)
          --out PATH           also write the Markdown report to PATH
        """;

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan Measure { get; init; } = TimeSpan.FromSeconds(3);
    public int Rounds { get; init; } = 3;
    public int CatchUpEvents { get; init; } = 100_000;
    public int PageSize { get; init; } = 1000;
    public int BatchWriters { get; init; } = 8;
    public bool TimeOrderedEventIds { get; init; } = true;
    public bool RunPostgres { get; init; } = true;
    public bool RunSqlite { get; init; } = true;
    public string? OutputPath { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Single-event appends at three concurrencies, then batches of 10 and 100.</summary>
    public IReadOnlyList<AppendCase> AppendCases =>
    [
        new(Writers: 1, EventsPerAppend: 1),
        new(Writers: 8, EventsPerAppend: 1),
        new(Writers: 32, EventsPerAppend: 1),
        new(Writers: BatchWriters, EventsPerAppend: 10),
        new(Writers: BatchWriters, EventsPerAppend: 100),
    ];

    public static BenchmarkSettings Parse(string[] args)
    {
        var settings = new BenchmarkSettings { Arguments = args };
        if (args.Contains("--quick"))
            settings = settings with { Measure = TimeSpan.FromSeconds(1), Warmup = TimeSpan.FromSeconds(0.5), CatchUpEvents = 20_000 };

        for (var i = 0; i < args.Length; i++)
        {
            settings = args[i] switch
            {
                "--quick" => settings,
                "--seconds" => settings with { Measure = TimeSpan.FromSeconds(ParseNumber(args, ++i)) },
                "--warmup" => settings with { Warmup = TimeSpan.FromSeconds(ParseNumber(args, ++i)) },
                "--rounds" => settings with { Rounds = (int)ParseNumber(args, ++i) },
                "--catch-up-events" => settings with { CatchUpEvents = (int)ParseNumber(args, ++i) },
                "--page-size" => settings with { PageSize = (int)ParseNumber(args, ++i) },
                "--batch-writers" => settings with { BatchWriters = (int)ParseNumber(args, ++i) },
                "--event-ids" => ValueAt(args, ++i) switch
                {
                    "random" => settings with { TimeOrderedEventIds = false },
                    "v7" => settings with { TimeOrderedEventIds = true },
                    var other => throw new ArgumentException($"Unknown event id kind '{other}'.\n{Usage}"),
                },
                "--backend" => ValueAt(args, ++i) switch
                {
                    "postgres" => settings with { RunPostgres = true, RunSqlite = false },
                    "sqlite" => settings with { RunPostgres = false, RunSqlite = true },
                    "both" => settings with { RunPostgres = true, RunSqlite = true },
                    var other => throw new ArgumentException($"Unknown backend '{other}'.\n{Usage}"),
                },
                "--out" => settings with { OutputPath = ValueAt(args, ++i) },
                var other => throw new ArgumentException($"Unknown option '{other}'.\n{Usage}"),
            };
        }

        if (settings.Measure <= TimeSpan.Zero || settings.Warmup < TimeSpan.Zero || settings.CatchUpEvents < 1 || settings.Rounds < 1
            || settings.PageSize is < 1 or > EventStoreLimits.MaxReadCount || settings.BatchWriters < 1)
            throw new ArgumentException($"Out-of-range option value.\n{Usage}");
        return settings;
    }

    private static string ValueAt(string[] args, int index) => BenchmarkArguments.Value(args, index, Usage);

    private static double ParseNumber(string[] args, int index) => BenchmarkArguments.Number(args, index, Usage);
}
