using Chronicle.EventStore;
using Chronicle.Record.Application;
using Chronicle.Record.Domain;
using Chronicle.Record.Synthetic;
using Chronicle.Record.Tests.Domain;
using Chronicle.Testing;

namespace Chronicle.Record.Tests.Synthetic;

/// <summary>Storing synthetic patients on a real store; subclasses choose the backend.</summary>
public abstract class SyntheticRecordWriterTests(StorageBackend storage) : IAsyncLifetime
{
    private static readonly DateOnly Today = new(2025, 1, 1);
    private TestStorage _store = null!;

    public async Task InitializeAsync() => _store = await RecordTestStorage.CreateAsync(storage);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task GivenPatientsWritten_WhenSameSeedWrittenAgain_ThenNothingIsAdded()
    {
        var writer = new SyntheticRecordWriter(_store.Events);

        var first = await writer.WriteAsync(new SyntheticRecords(3, Today), 4);
        var log = await _store.GlobalLogAsync();
        var second = await writer.WriteAsync(new SyntheticRecords(3, Today.AddDays(7)), 4);

        Assert.Equal(new SyntheticWriteSummary(4, 4, 0, 0, first.RecordEvents), first);
        Assert.Equal(first.RecordEvents + 4, log.Count);
        Assert.Equal(new SyntheticWriteSummary(4, 0, 4, 0, 0), second);
        Assert.Equal(log.Count, (await _store.GlobalLogAsync()).Count);
    }

    [Fact]
    public async Task GivenFewerPatientsWritten_WhenMoreOfTheSameSeedWritten_ThenOnlyTheNewOnesAreAdded()
    {
        var writer = new SyntheticRecordWriter(_store.Events);
        await writer.WriteAsync(new SyntheticRecords(3, Today), 2);

        var more = await writer.WriteAsync(new SyntheticRecords(3, Today), 5);

        Assert.Equal(3, more.Written);
        Assert.Equal(2, more.AlreadyPresent);
    }

    [Fact]
    public async Task GivenNhsNumberRegisteredToAnotherPatient_WhenWritten_ThenThatPatientIsLeftOut()
    {
        var records = new SyntheticRecords(3, Today);
        var taken = records.NhsNumberOf(1);
        await new PatientRecordCommands(_store.Events, TimeProvider.System).HandleAsync(Examples.Register(nhsNumber: taken),
            new CommandContext(Guid.NewGuid(), null, EventMetadata.Empty));

        var summary = await new SyntheticRecordWriter(_store.Events).WriteAsync(records, 3);

        Assert.Equal(2, summary.Written);
        Assert.Equal(1, summary.NhsNumberTaken);
        Assert.False((await _store.Events.GetStreamStateAsync(new PatientId(records.Patient(1)[0].PatientId).StreamName)).Exists);
    }
}

public sealed class SqliteSyntheticRecordWriterTests() : SyntheticRecordWriterTests(StorageBackend.Sqlite);

[Collection(SharedPostgres.Collection)]
public sealed class PostgresSyntheticRecordWriterTests() : SyntheticRecordWriterTests(StorageBackend.Postgres);
