using Chronicle.Record.Domain;
using Chronicle.Record.Synthetic;
using static Chronicle.Record.Domain.RecordEventsV1;

namespace Chronicle.Record.Tests.Synthetic;

public sealed class SyntheticRecordsTests
{
    private static readonly DateOnly Today = new(2025, 1, 1);

    [Fact]
    public void GivenOneSeed_ThenNhsNumbersAreValidAndNoTwoPatientsShareOne()
    {
        var records = new SyntheticRecords(seed: 5, Today);

        var numbers = Enumerable.Range(0, 20_000).Select(records.NhsNumberOf).ToList();

        Assert.All(numbers, n => Assert.True(NhsNumber.TryParse(n, out _), n));
        Assert.All(numbers, n => Assert.StartsWith("999", n, StringComparison.Ordinal));
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
    }

    [Fact]
    public void GivenPatient_ThenRegistrationCarriesTheSeedsNhsNumberAndEveryAppendHasItsOwnCommandId()
    {
        var records = new SyntheticRecords(seed: 5, Today);

        var appends = records.Patient(3);

        Assert.Equal(records.NhsNumberOf(3), Assert.IsType<PatientRegistered>(appends[0].Events[0]).NhsNumber);
        Assert.Equal(appends.Count, appends.Select(a => a.CommandId).Distinct().Count());
        Assert.All(appends, a => Assert.Equal(a.CommandId.ToString(), a.Metadata.CausationId));
    }

    [Fact]
    public void GivenSameSeedAndDay_ThenSamePatientsAsEveryOtherProcessGets()
    {
        // A value fixed in the test, so a seed that varied per process (as HashCode's does) would fail here.
        var first = new SyntheticRecords(seed: 1, Today).Patient(0);

        Assert.Equal(Guid.Parse("48caf4d2-ef1d-4642-b1b5-6dc45acf333e"), first[0].PatientId);
        Assert.Equal(first.Select(a => a.CommandId), new SyntheticRecords(seed: 1, Today).Patient(0).Select(a => a.CommandId));
    }
}
