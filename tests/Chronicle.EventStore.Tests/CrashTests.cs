using System.Diagnostics;
using System.Text.Json;

namespace Chronicle.EventStore.Tests;

/// <summary>
/// A child process appends in a loop and prints every acknowledged append; it is killed with SIGKILL
/// mid-stream. Every acknowledged append must be stored, and no batch may be partly written.
/// </summary>
public abstract class CrashContract
{
    protected abstract string[] WriterArguments();

    protected abstract Task<IEventStore> OpenStoreAsync();

    [Fact]
    [Trait("Category", "Crash")]
    public async Task GivenAWriterAppending_WhenKilledMidStream_ThenEveryAcknowledgedAppendIsStoredAndNoBatchIsPartial()
    {
        var acknowledged = new List<Acknowledgement>();
        for (var run = 0; run < 2; run++)
            acknowledged.AddRange(await RunWriterAndKillAsync(minimumAcknowledgements: 150));

        await using var store = await OpenStoreAsync();
        var log = await TestEvents.ReadWholeLogAsync(store);
        var byId = log.ToDictionary(e => e.EventId);

        foreach (var ack in acknowledged)
        {
            var firstVersion = ack.LastVersion - ack.EventIds.Count + 1;
            for (var i = 0; i < ack.EventIds.Count; i++)
            {
                Assert.True(byId.TryGetValue(ack.EventIds[i], out var stored), $"acknowledged event {ack.EventIds[i]} is missing");
                Assert.Equal(ack.Stream, stored.StreamId);
                Assert.Equal(firstVersion + i, stored.StreamVersion);
            }
        }

        foreach (var batch in log.GroupBy(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("batch").GetGuid()))
        {
            var size = JsonDocument.Parse(batch.First().Data).RootElement.GetProperty("size").GetInt32();
            Assert.Equal(size, batch.Count());
            Assert.Single(batch.Select(e => e.Transaction).Distinct());
        }

        foreach (var stream in log.GroupBy(e => e.StreamId))
            Assert.Equal(Enumerable.Range(0, stream.Count()).Select(v => (long)v), stream.Select(e => e.StreamVersion));

        // The store keeps working after the crash.
        var tail = log[^1];
        var next = await store.AppendAsync(tail.StreamId, ExpectedVersion.Exact(tail.StreamVersion), TestEvents.Batch(1));
        Assert.Equal(tail.StreamVersion + 1, next.NextExpectedVersion);
    }

    private async Task<List<Acknowledgement>> RunWriterAndKillAsync(int minimumAcknowledgements)
    {
        var writer = Path.Combine(AppContext.BaseDirectory, "Chronicle.EventStore.CrashWriter.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(writer);
        foreach (var argument in WriterArguments())
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the crash writer.");
        var errors = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (lines.Count < minimumAcknowledgements)
        {
            var line = await process.StandardOutput.ReadLineAsync()
                ?? throw new InvalidOperationException($"The crash writer exited early: {await errors}");
            lines.Add(line);
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The crash writer was too slow to acknowledge appends.");
        }

        process.Kill(); // SIGKILL on Unix: no flush, no dispose, no finally blocks.
        lines.AddRange((await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        await process.WaitForExitAsync();

        return lines.Select(Acknowledgement.TryParse).OfType<Acknowledgement>().ToList();
    }

    private sealed record Acknowledgement(string Stream, long LastVersion, IReadOnlyList<Guid> EventIds)
    {
        // A line cut short by the kill is ignored; every complete line is an acknowledged append.
        public static Acknowledgement? TryParse(string line)
        {
            var parts = line.Split(' ');
            if (parts.Length != 4 || parts[0] != "ACK" || !long.TryParse(parts[2], out var version))
                return null;
            var ids = parts[3].Split(',');
            return ids.All(id => Guid.TryParseExact(id, "D", out _))
                ? new Acknowledgement(parts[1], version, ids.Select(Guid.Parse).ToList())
                : null;
        }
    }
}

public sealed class SqliteCrashTests : CrashContract, IDisposable
{
    private readonly SqliteFiles _files = new();
    private readonly string _path;

    public SqliteCrashTests() => _path = _files.NewPath();

    protected override string[] WriterArguments() => ["sqlite", _path];

    protected override async Task<IEventStore> OpenStoreAsync() => await _files.CreateStoreAsync(_path);

    public void Dispose() => _files.Dispose();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresCrashTests(PostgresFixture postgres) : CrashContract
{
    private readonly string _schema = PostgresFixture.NewSchemaName();

    protected override string[] WriterArguments() => ["postgres", postgres.ConnectionString, _schema];

    protected override async Task<IEventStore> OpenStoreAsync() => await postgres.CreateStoreAsync(_schema);
}
