using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Chronicle.Record.Domain;

/// <summary>A patient's id: the key of their record and of their event stream.</summary>
public readonly record struct PatientId(Guid Value)
{
    /// <summary>The stream holding every event of this patient's record.</summary>
    public string StreamName => $"patient-{Value:N}";

    public static bool TryParse([NotNullWhen(true)] string? text, out PatientId id)
    {
        var parsed = Guid.TryParse(text, CultureInfo.InvariantCulture, out var value) && value != Guid.Empty;
        id = parsed ? new PatientId(value) : default;
        return parsed;
    }

    public override string ToString() => Value.ToString("D");
}
