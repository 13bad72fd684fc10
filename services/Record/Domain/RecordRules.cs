using System.Globalization;
using System.Text.RegularExpressions;

namespace Chronicle.Record.Domain;

/// <summary>Field rules shared by the record's commands. Each adds to <see cref="ValidationErrors"/> and never throws.</summary>
public static partial class RecordRules
{
    public const int MaxNoteLength = 10_000;
    public const int MaxReasonLength = 1_000;

    public static readonly IReadOnlySet<string> Genders = new HashSet<string>(StringComparer.Ordinal) { "male", "female", "other", "unknown" };
    public static readonly IReadOnlySet<string> ProblemStatuses = new HashSet<string>(StringComparer.Ordinal) { "active", "resolved" };
    public static readonly IReadOnlySet<string> Severities = new HashSet<string>(StringComparer.Ordinal) { "mild", "moderate", "severe" };
    public static readonly IReadOnlySet<string> Criticalities = new HashSet<string>(StringComparer.Ordinal) { "low", "high", "unable-to-assess" };
    public static readonly IReadOnlySet<string> Priorities = new HashSet<string>(StringComparer.Ordinal) { "routine", "urgent", "asap", "stat" };
    public static readonly IReadOnlySet<string> Modes = new HashSet<string>(StringComparer.Ordinal) { "face-to-face", "telephone", "video", "online", "home-visit" };
    public static readonly IReadOnlySet<string> TelecomSystems = new HashSet<string>(StringComparer.Ordinal) { "phone", "email", "sms" };
    public static readonly IReadOnlySet<string> TelecomUses = new HashSet<string>(StringComparer.Ordinal) { "home", "work", "mobile" };

    public static void Required(ValidationErrors errors, string field, string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
            errors.Add(field, $"{what} is required");
    }

    public static void OdsCode(ValidationErrors errors, string field, string? code)
    {
        if (string.IsNullOrEmpty(code))
            errors.Add(field, "an ODS code is required");
        else if (!OdsShape().IsMatch(code))
            errors.Add(field, $"'{code}' is not an ODS code (3 to 10 upper-case letters and digits)");
    }

    /// <summary>Checks a value against a closed set; a null or empty value passes unless <paramref name="required"/>.</summary>
    public static void OneOf(ValidationErrors errors, string field, string? value, IReadOnlySet<string> allowed, bool required = true)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
                errors.Add(field, $"a value is required: one of {string.Join(" | ", allowed)}");
        }
        else if (!allowed.Contains(value))
        {
            errors.Add(field, $"'{value}' is not one of {string.Join(" | ", allowed)}");
        }
    }

    /// <summary>A coding needs a system and a code; SNOMED CT and dm+d codes must be well-formed concept ids.</summary>
    public static void Coding(ValidationErrors errors, string field, Coding? coding, string? requiredSystem = null)
    {
        if (coding is null)
        {
            errors.Add(field, "a coding is required");
            return;
        }

        if (string.IsNullOrWhiteSpace(coding.System))
            errors.Add($"{field}.system", "a code system is required");
        else if (requiredSystem is not null && coding.System != requiredSystem)
            errors.Add($"{field}.system", $"must be {requiredSystem}, not '{coding.System}'");

        if (string.IsNullOrWhiteSpace(coding.Code))
            errors.Add($"{field}.code", "a code is required");
        else if (coding.System is CodeSystems.Snomed or CodeSystems.DmD && !SnomedCtId.IsValidConceptId(coding.Code, out var problem))
            errors.Add($"{field}.code", $"'{coding.Code}' is not a valid {(coding.System == CodeSystems.DmD ? "dm+d" : "SNOMED CT")} concept id: {problem}");
    }

    public static void Quantity(ValidationErrors errors, string field, Quantity? quantity)
    {
        if (quantity is null)
            errors.Add(field, "a value with a unit is required");
        else if (string.IsNullOrWhiteSpace(quantity.Unit))
            errors.Add($"{field}.unit", "UCUM unit is required");
    }

    public static void Demographics(ValidationErrors errors, string field, Demographics? demographics, DateTimeOffset now)
    {
        if (demographics is null)
        {
            errors.Add(field, "demographics are required");
            return;
        }

        if (demographics.Name is null)
        {
            errors.Add($"{field}.name", "a name is required");
        }
        else
        {
            Required(errors, $"{field}.name.family", demographics.Name.Family, "a family name");
            for (var i = 0; i < (demographics.Name.Given?.Count ?? 0); i++)
                Required(errors, $"{field}.name.given[{i}]", demographics.Name.Given![i], "a given name");
        }

        BirthDate(errors, $"{field}.birth_date", demographics.BirthDate, now);
        OneOf(errors, $"{field}.gender", demographics.Gender, Genders);

        var telecom = demographics.Telecom ?? [];
        for (var i = 0; i < telecom.Count; i++)
        {
            OneOf(errors, $"{field}.telecom[{i}].system", telecom[i].System, TelecomSystems);
            Required(errors, $"{field}.telecom[{i}].value", telecom[i].Value, "a value");
            OneOf(errors, $"{field}.telecom[{i}].use", telecom[i].Use, TelecomUses, required: false);
        }
    }

    private static void BirthDate(ValidationErrors errors, string field, DateOnly birthDate, DateTimeOffset now)
    {
        if (birthDate < ClinicalDates.EarliestBirthDate)
            errors.Add(field, $"{Iso(birthDate)} is before 1900");
        else if (birthDate > ClinicalDates.LatestToday(now))
            errors.Add(field, $"{Iso(birthDate)} is in the future");
    }

    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[A-Z0-9]{3,10}$")]
    private static partial Regex OdsShape();
}
