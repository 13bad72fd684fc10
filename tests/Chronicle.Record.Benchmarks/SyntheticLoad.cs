using System.Diagnostics;
using Chronicle.EventStore;
using Chronicle.Record.Domain;
using Chronicle.Record.Fhir.Projection;
using Chronicle.Record.Synthetic;
using Chronicle.Record.Application;

namespace Chronicle.Record.Benchmarks;

/// <summary>The loaded patients, by synthetic index: their ids and their streams' current versions (commands move these on).</summary>
internal sealed class PatientRoster(int count)
{
    public Guid[] Ids { get; } = new Guid[count];
    public long[] Versions { get; } = new long[count];

    public int Count => Ids.Length;
}

internal sealed record LoadResult(int Patients, int Writers, long Appends, long Events, long DataBytes, TimeSpan Elapsed,
    LogPosition LastPosition, double GenerationEventsPerSecond)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
    public double AppendsPerSecond => Appends / Elapsed.TotalSeconds;
    public double EventsPerPatient => (double)Events / Patients;
    public double MeanDataBytes => (double)DataBytes / Events;
}

/// <summary>
/// Fills the store with <see cref="SyntheticRecords"/>, bypassing the command side: each writer takes the next
/// patient and appends that patient's history oldest first, one append per consultation (as the command side
/// would), with ExpectedVersion NoStream and then Exact(n). Event ids derive from the patient id, so a run's log
/// is the same every time.
/// </summary>
internal static class SyntheticLoad
{
    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();

    public static async Task<LoadResult> RunAsync(IEventStore store, BenchmarkSettings settings, PatientRoster roster, TextWriter progress)
    {
        var records = new SyntheticRecords(settings.Seed, BenchmarkSettings.SyntheticToday);
        MeasureGeneration(records, Math.Min(settings.Patients, 50)); // JIT and caches first
        var generation = MeasureGeneration(records, Math.Min(settings.Patients, 200));

        var next = -1;
        var done = 0;
        var totals = new Totals();
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, settings.Writers).Select(async _ =>
        {
            await Task.Yield();
            var mine = new Totals();
            int index;
            while ((index = Interlocked.Increment(ref next)) < settings.Patients)
            {
                await AppendPatientAsync(store, records, index, roster, mine);
                var finished = Interlocked.Increment(ref done);
                if (finished % Math.Max(1, settings.Patients / 10) == 0)
                    progress.WriteLine($"  loaded {finished:N0} of {settings.Patients:N0} patients ({Stopwatch.GetElapsedTime(started).TotalSeconds:0} s)");
            }

            totals.Add(mine);
        }));

        return new LoadResult(settings.Patients, settings.Writers, totals.Appends, totals.Events, totals.DataBytes,
            Stopwatch.GetElapsedTime(started), totals.Last, generation);
    }

    private static async Task AppendPatientAsync(IEventStore store, SyntheticRecords records, int index, PatientRoster roster, Totals totals)
    {
        var history = records.Patient(index);
        var patientId = history[0].PatientId;
        var stream = RecordEvent.StreamOf(patientId);
        var expected = ExpectedVersion.NoStream;
        var ordinal = 0;
        foreach (var append in history)
        {
            var events = ToEventData(append, ref ordinal);
            var result = await store.AppendAsync(stream, expected, events);
            expected = ExpectedVersion.Exact(result.NextExpectedVersion);
            totals.Count(events, result.LastLogPosition);
            roster.Versions[index] = result.NextExpectedVersion;
        }

        roster.Ids[index] = patientId;
    }

    private static EventData[] ToEventData(SyntheticAppend append, ref int ordinal)
    {
        var events = new EventData[append.Events.Count];
        for (var i = 0; i < events.Length; i++)
            events[i] = Registry.ToEventData(DerivedIds.Create(append.PatientId, $"synthetic-event/{ordinal++}"), append.Events[i], append.Metadata);
        return events;
    }

    /// <summary>Generating and serialising alone, on one thread, so the report can say how much of the load rate it is.</summary>
    private static double MeasureGeneration(SyntheticRecords records, int patients)
    {
        var started = Stopwatch.GetTimestamp();
        long events = 0;
        for (var index = 0; index < patients; index++)
        {
            var ordinal = 0;
            foreach (var append in records.Patient(index))
                events += ToEventData(append, ref ordinal).Length;
        }

        return events / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private sealed class Totals
    {
        private readonly Lock _gate = new();

        public long Appends { get; private set; }
        public long Events { get; private set; }
        public long DataBytes { get; private set; }
        public LogPosition Last { get; private set; } = LogPosition.Start;

        public void Count(EventData[] events, LogPosition last)
        {
            Appends++;
            Events += events.Length;
            DataBytes += events.Sum(e => (long)e.Data.Length);
            if (last > Last)
                Last = last;
        }

        public void Add(Totals other)
        {
            lock (_gate)
            {
                Appends += other.Appends;
                Events += other.Events;
                DataBytes += other.DataBytes;
                if (other.Last > Last)
                    Last = other.Last;
            }
        }
    }
}
