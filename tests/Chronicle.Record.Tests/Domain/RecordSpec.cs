using System.Text;
using Chronicle.EventStore;
using Chronicle.Record.Domain;

namespace Chronicle.Record.Tests.Domain;

/// <summary>Given events / When command / Then events (or a refusal), against the pure decider.</summary>
internal sealed class RecordSpec
{
    private static readonly EventTypeRegistry Registry = RecordEventsJsonContext.CreateRegistry();
    private readonly IReadOnlyList<object> _given;
    private PatientRecordCommand? _command;
    private DateTimeOffset _now = Examples.Now;

    private RecordSpec(IReadOnlyList<object> given) => _given = given;

    public static RecordSpec Given(params object[] events) => new(events);

    public RecordSpec When(PatientRecordCommand command)
    {
        _command = command;
        return this;
    }

    public RecordSpec At(DateTimeOffset now)
    {
        _now = now;
        return this;
    }

    public IReadOnlyList<object> Decide() =>
        PatientRecordDecider.Decide(PatientRecordDecider.Fold(_given), _command ?? throw new InvalidOperationException("No command."), _now);

    /// <summary>Compares events as stored (type name and JSON), so nested lists compare by content.</summary>
    public void Then(params object[] expected) => Assert.Equal(expected.Select(Stored), Decide().Select(Stored));

    public TException ThenFails<TException>() where TException : Exception => Assert.Throws<TException>(() => Decide());

    /// <summary>Asserts the command is refused with an error on <paramref name="field"/> whose message contains <paramref name="message"/>.</summary>
    public void ThenRejects(string field, string message)
    {
        var refusal = ThenFails<RecordValidationException>();
        Assert.True(refusal.Errors.Any(e => e.Field == field && e.Message.Contains(message, StringComparison.Ordinal)),
            $"Expected an error on {field} containing \"{message}\", got: {refusal.Message}");
    }

    public static string Stored(object @event)
    {
        var data = Registry.ToEventData(Guid.NewGuid(), @event, EventMetadata.Empty);
        return $"{data.EventType} {Encoding.UTF8.GetString(data.Data)}";
    }
}
