using System.Text.RegularExpressions;

namespace Chronicle.Fhir;

public static partial class FhirIds
{
    /// <summary>FHIR's id type: 1 to 64 letters, digits, '-' and '.'.</summary>
    public static bool IsValid(string? id) => id is not null && IdPattern().IsMatch(id);

    [GeneratedRegex(@"^[A-Za-z0-9\-\.]{1,64}$")]
    private static partial Regex IdPattern();
}
