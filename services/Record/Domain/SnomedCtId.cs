using System.Diagnostics.CodeAnalysis;

namespace Chronicle.Record.Domain;

/// <summary>
/// Checks SNOMED CT identifiers (SCTIDs), which dm+d ids share: 6 to 18 digits, no leading zero,
/// a partition identifier in the two digits before the last, and a Verhoeff check digit last.
/// It catches mistyped codes; whether a concept exists is a terminology server's job.
/// </summary>
public static class SnomedCtId
{
    // Verhoeff's dihedral group D5 multiplication table.
    private static readonly int[,] Multiply =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 },
        { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 },
        { 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 },
        { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 },
        { 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 },
        { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 },
        { 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 },
        { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 },
        { 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 },
        { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
    };

    // Verhoeff's position permutations: row i is the permutation (1 5 7 6 2 8 3 0 9 4) applied i times.
    private static readonly int[,] Permute =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 },
        { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 },
        { 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 },
        { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 },
        { 9, 4, 5, 3, 1, 2, 6, 8, 7, 0 },
        { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 },
        { 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 },
        { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 },
    };

    /// <summary>
    /// True when <paramref name="code"/> is a well-formed concept id. A description or relationship
    /// id is well formed too but names no concept, so it is refused.
    /// </summary>
    /// <param name="problem">Why the code is refused, as a sentence fragment.</param>
    public static bool IsValidConceptId([NotNullWhen(true)] string? code, [NotNullWhen(false)] out string? problem)
    {
        if (code is null || code.Length is < 6 or > 18 || !code.All(char.IsAsciiDigit))
            problem = "a SNOMED CT id has 6 to 18 digits";
        else if (code[0] == '0')
            problem = "a SNOMED CT id has no leading zero";
        else if (!HasValidCheckDigit(code))
            problem = "its check digit does not match (Verhoeff)";
        else if (code[^2] != '0')
            problem = "it is a SNOMED CT description or relationship id, not a concept id";
        else
            problem = null;
        return problem is null;
    }

    public static bool HasValidCheckDigit(string digits)
    {
        var check = 0;
        for (var i = 0; i < digits.Length; i++)
            check = Multiply[check, Permute[i % 8, digits[^(i + 1)] - '0']];
        return check == 0;
    }
}
