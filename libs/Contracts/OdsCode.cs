using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Chronicle.Contracts;

/// <summary>
/// An organisation's ODS code (a GP practice's is a letter and five digits, e.g. A81001), normalised to upper case.
/// ODS codes are case-insensitive as people type them but compared exactly everywhere they are stored, so every input
/// (a URL, a request field, an integration event, a token claim) goes through <see cref="TryParse(string?, out OdsCode?)"/>
/// and only <see cref="Value"/> is stored or compared. One type, so every service reads them the same way.
/// </summary>
public sealed partial record OdsCode
{
    /// <summary>Longest ODS code the shape allows; directory columns hold at least this many characters.</summary>
    public const int MaxLength = 10;

    /// <summary>What an ODS code looks like, to follow the name of the field in an error message.</summary>
    public const string Shape = "3 to 10 letters and digits, e.g. A81001";

    private OdsCode(string value) => Value = value;

    /// <summary>The code in upper case, e.g. "A81001".</summary>
    public string Value { get; }

    public override string ToString() => Value;

    public static OdsCode Parse(string text) =>
        TryParse(text, out var code) ? code : throw new FormatException($"'{text}' is not an ODS code ({Shape}).");

    /// <summary>
    /// Reads an ODS code in any case, with surrounding white space dropped. Only ASCII letters and digits are accepted
    /// before upper-casing, so no other character can upper-case into one (the dotless i into I, for instance).
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out OdsCode? code)
    {
        var trimmed = text?.Trim();
        code = trimmed is not null && AsciiShape().IsMatch(trimmed) ? new OdsCode(trimmed.ToUpperInvariant()) : null;
        return code is not null;
    }

    /// <summary>The normalised form of <paramref name="text"/>, or null when it is not an ODS code.</summary>
    public static string? Normalise(string? text) => TryParse(text, out var code) ? code.Value : null;

    [GeneratedRegex(@"^[A-Za-z0-9]{3,10}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AsciiShape();
}
