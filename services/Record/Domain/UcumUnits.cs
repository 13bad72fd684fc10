using System.Diagnostics.CodeAnalysis;
using Fhir.Metrics;

namespace Chronicle.Record.Domain;

/// <summary>
/// Checks unit codes against UCUM (the Unified Code for Units of Measure, the unit system FHIR quantities name) with
/// Fhir.Metrics' copy of the UCUM essence: "mm[Hg]", "kg/m2", "/min", "mmol/L", "10*9/L", "mL/min/{1.73_m2}" pass,
/// "mmHg", "KG" and "furlongs/fortnight" do not. Fhir.Metrics reads no parenthesised terms ("mg/(24.h)"): such a unit is
/// refused, and can be written without them ("mg/d").
/// </summary>
public static class UcumUnits
{
    private static readonly Lazy<SystemOfUnits> Ucum = new(UCUM.Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <param name="problem">Why <paramref name="unit"/> is not a UCUM unit, as a sentence fragment.</param>
    public static bool IsValid([NotNullWhen(true)] string? unit, [NotNullWhen(false)] out string? problem)
    {
        problem = Syntax(unit);
        if (problem is not null)
            return false;
        try
        {
            Ucum.Value.Metric(unit!);
            return true;
        }
        catch (ArgumentException e)
        {
            problem = $"'{unit}' is not a UCUM unit ({e.Message.TrimEnd('.')})";
            return false;
        }
    }

    // Fhir.Metrics skips empty terms ("kg/", "kg..m") that UCUM's grammar forbids, and UCUM codes are printable ASCII.
    private static string? Syntax(string? unit)
    {
        if (string.IsNullOrEmpty(unit))
            return "a UCUM unit is required";
        if (unit.Any(c => c is < '!' or > '~'))
            return $"'{unit}' is not a UCUM unit: UCUM codes are printable ASCII without spaces (e.g. \"mm[Hg]\", \"kg/m2\")";
        if (unit[0] == '.' || unit[^1] is '.' or '/' || unit.Contains("..", StringComparison.Ordinal) || unit.Contains("//", StringComparison.Ordinal)
            || unit.Contains("./", StringComparison.Ordinal) || unit.Contains("/.", StringComparison.Ordinal))
            return $"'{unit}' is not a UCUM unit: a term is missing before or after a '.' or '/'";
        return null;
    }
}
