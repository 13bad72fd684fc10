using System.Globalization;
using System.Text;
using Chronicle.EventStore;
using Chronicle.EventStore.Postgres;
using Chronicle.EventStore.Sqlite;

// Usage: CrashWriter sqlite <file> | postgres <connection string> <schema>
// Appends batches of 1-5 events to a few streams from several concurrent writers, forever. After each
// acknowledged append it prints: ACK <stream> <next expected version> <event id>,<event id>,...
// Each event's data names its batch and the batch size, so the verifier can prove no batch was half-written.
await using IEventStore store = args[0] switch
{
    "sqlite" => SqliteEventStore.ForFile(args[1]),
    "postgres" => PostgresEventStore.Create(args[1], new PostgresEventStoreOptions { Schema = args[2] }),
    _ => throw new ArgumentException($"Unknown backend '{args[0]}'."),
};
await store.InitializeAsync();

var output = Console.Out;
var outputLock = new object();
const int Writers = 4;

await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
{
    var random = new Random(Environment.ProcessId * 31 + writer);
    var stream = $"crash-{Environment.ProcessId}-{writer}";
    var expected = ExpectedVersion.NoStream;
    while (true)
    {
        var batchId = Guid.NewGuid();
        var size = random.Next(1, 6);
        var events = Enumerable.Range(0, size).Select(i => new EventData(
            Guid.NewGuid(),
            "V1.CrashProbe",
            Encoding.UTF8.GetBytes($$"""{"batch":"{{batchId}}","index":{{i}},"size":{{size}}}"""),
            new EventMetadata { UserId = "crash-writer", CorrelationId = batchId.ToString() })).ToArray();
        var result = await store.AppendAsync(stream, expected, events);
        expected = ExpectedVersion.Exact(result.NextExpectedVersion);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"ACK {stream} {result.NextExpectedVersion} {string.Join(',', events.Select(e => e.EventId))}");
        lock (outputLock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}))).ConfigureAwait(false);
