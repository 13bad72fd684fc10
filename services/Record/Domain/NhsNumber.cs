using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Chronicle.Record.Domain;

/// <summary>
/// A valid NHS number, normalised to its ten digits. People write it in groups of 3-3-4
/// ("943 476 5919", "943-476-5919"); the tenth digit is a Modulus 11 check digit over the first nine.
/// </summary>
public sealed partial record NhsNumber
{
    private NhsNumber(string digits) => Value = digits;

    /// <summary>The ten digits, without separators.</summary>
    public string Value { get; }

    /// <summary>The 3-3-4 form people read, e.g. "943 476 5919".</summary>
    public string Formatted => $"{Value[..3]} {Value[3..6]} {Value[6..]}";

    public static NhsNumber Parse(string text) =>
        TryParse(text, out var number, out var problem) ? number : throw new FormatException(problem);

    public static bool TryParse(string? text, [NotNullWhen(true)] out NhsNumber? number) => TryParse(text, out number, out _);

    /// <param name="problem">Why <paramref name="text"/> is not an NHS number, as a sentence fragment.</param>
    public static bool TryParse(string? text, [NotNullWhen(true)] out NhsNumber? number, [NotNullWhen(false)] out string? problem)
    {
        number = null;
        var match = text is null ? null : Shape().Match(text.Trim());
        if (match is not { Success: true })
        {
            problem = "an NHS number has 10 digits, optionally grouped 3-3-4 with spaces or dashes";
            return false;
        }

        var digits = string.Concat(match.Groups["a"].Value, match.Groups["b"].Value, match.Groups["c"].Value);
        if (digits.All(d => d == digits[0]))
        {
            problem = "an NHS number cannot be one digit repeated";
            return false;
        }

        if (ExpectedCheckDigit(digits) is not { } check || check != digits[9] - '0')
        {
            problem = "its check digit does not match (Modulus 11)";
            return false;
        }

        number = new NhsNumber(digits);
        problem = null;
        return true;
    }

    /// <summary>The Modulus 11 check digit of the first nine digits, or null when none exists (remainder gives 10).</summary>
    private static int? ExpectedCheckDigit(string digits)
    {
        var sum = 0;
        for (var i = 0; i < 9; i++)
            sum += (digits[i] - '0') * (10 - i);
        var check = 11 - (sum % 11);
        return check switch
        {
            11 => 0,
            10 => null,
            _ => check,
        };
    }

    public override string ToString() => Value;

    // One separator style per number: "9434765919", "943 476 5919" or "943-476-5919".
    [GeneratedRegex(@"^(?<a>[0-9]{3})(?<sep>[ -]?)(?<b>[0-9]{3})\k<sep>(?<c>[0-9]{4})$")]
    private static partial Regex Shape();
}
