using System.Globalization;
using System.Diagnostics.CodeAnalysis;

namespace Chronicle.Record.Domain;

/// <summary>A patient's id: the key of their record and of their event stream.</summary>
public readonly record struct PatientId(Guid Value)
{
    /// <summary>The prefix of every patient's stream: the one place the stream naming is defined.</summary>
    public const string StreamPrefix = "patient-";

    /// <summary>The stream holding every event of this patient's record.</summary>
    public string StreamName => StreamPrefix + Value.ToString("N", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads the one text form of a UUID (8-4-4-4-12 hex digits), not the other forms .NET also reads ("N", braces): one
    /// patient, one id text, in the audit trail and in every cache keyed by it.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out PatientId id)
    {
        var parsed = Guid.TryParseExact(text, "D", out var value) && value != Guid.Empty;
        id = parsed ? new PatientId(value) : default;
        return parsed;
    }

    public override string ToString() => Value.ToString("D");
}
