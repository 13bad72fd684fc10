using System.Globalization;
using System.Text.RegularExpressions;

namespace Chronicle.Record.Domain;

/// <summary>Field rules shared by the record's commands. Each adds to <see cref="ValidationErrors"/> and never throws.</summary>
public static partial class RecordRules
{
    public const int MaxNoteLength = 10_000;
    public const int MaxReasonLength = 1_000;

    // Names follow PDS, the NHS's Personal Demographics Service, so that every name the record holds can be sent there:
    // its FHIR API takes a family name of at most 35 characters and at most 5 given names of at most 35 characters each
    // (NHS Digital, personal-demographics-service-api, specification/components/schemas/HumanName.yaml), and addresses of
    // at most 5 lines (schemas/Address.yaml). Prefixes get the same 35 characters as the other name parts.
    public const int MaxNamePartLength = 35;
    public const int MaxGivenNames = 5;
    public const int MaxAddressLines = 5;
    public const int MaxAddressLineLength = 100;
    public const int MaxPostalCodeLength = 20;
    public const int MaxTelecom = 10;

    /// <summary>Short free text: code systems, codes, clinicians' ids and names, lot numbers, recipients, contact values.</summary>
    public const int MaxShortTextLength = 255;

    /// <summary>Longer free text on one line: codes' display texts (dm+d names run long), dosage instructions.</summary>
    public const int MaxLineLength = 1_000;

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

    /// <summary>A required free-text field: present, within its length, and plain text (<see cref="Text"/>).</summary>
    public static void RequiredText(ValidationErrors errors, string field, string? value, string what, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
            errors.Add(field, $"{what} is required");
        else
            Text(errors, field, value, maxLength);
    }

    /// <summary>
    /// An optional free-text field (null passes): at most <paramref name="maxLength"/> characters, and no control characters
    /// (C0, which includes NUL, DEL and C1) nor unpaired surrogates, which no reader expects in a name or a code and which
    /// some (PostgreSQL text, XML, terminals) cannot hold or show. Only <paramref name="multiline"/> text (a note) may hold
    /// tabs and line breaks (U+0009, U+000A, U+000D), since a clinician's note has paragraphs.
    /// </summary>
    public static void Text(ValidationErrors errors, string field, string? value, int maxLength, bool multiline = false)
    {
        if (value is null)
            return;
        if (value.Length > maxLength)
        {
            errors.Add(field, $"at most {maxLength:N0} characters, not {value.Length:N0}");
            return;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) && !(multiline && c is '\t' or '\n' or '\r'))
            {
                errors.Add(field, $"contains the control character U+{(int)c:X4} at position {i + 1}; " +
                    (multiline ? "only tabs and line breaks are allowed" : "it must be plain text on one line"));
                return;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                i++;
            else if (char.IsSurrogate(c))
            {
                errors.Add(field, $"contains an unpaired surrogate (U+{(int)c:X4}) at position {i + 1}, which is not text");
                return;
            }
        }
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
        else
            Text(errors, $"{field}.system", coding.System, MaxShortTextLength);

        if (string.IsNullOrWhiteSpace(coding.Code))
            errors.Add($"{field}.code", "a code is required");
        else if (coding.System is CodeSystems.Snomed or CodeSystems.DmD && !SnomedCtId.IsValidConceptId(coding.Code, out var problem))
            errors.Add($"{field}.code", $"'{coding.Code}' is not a valid {(coding.System == CodeSystems.DmD ? "dm+d" : "SNOMED CT")} concept id: {problem}");
        else
            Text(errors, $"{field}.code", coding.Code, MaxShortTextLength);
        Text(errors, $"{field}.display", coding.Display, MaxLineLength);
    }

    /// <summary>A value with a UCUM unit (<see cref="UcumUnits"/>): the system every quantity in the record is stated in.</summary>
    public static void Quantity(ValidationErrors errors, string field, Quantity? quantity)
    {
        if (quantity is null)
            errors.Add(field, "a value with a unit is required");
        else if (string.IsNullOrWhiteSpace(quantity.Unit))
            errors.Add($"{field}.unit", "UCUM unit is required");
        else if (!UcumUnits.IsValid(quantity.Unit, out var problem))
            errors.Add($"{field}.unit", problem);
    }

    public static void Clinician(ValidationErrors errors, string field, Clinician? clinician)
    {
        RequiredText(errors, $"{field}.id", clinician?.Id, "the practitioner's id", MaxShortTextLength);
        RequiredText(errors, $"{field}.name", clinician?.Name, "the practitioner's name", MaxShortTextLength);
        Text(errors, $"{field}.role", clinician?.Role, MaxShortTextLength);
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
            RequiredText(errors, $"{field}.name.family", demographics.Name.Family, "a family name", MaxNamePartLength);
            var given = demographics.Name.Given ?? [];
            if (given.Count > MaxGivenNames)
                errors.Add($"{field}.name.given", $"at most {MaxGivenNames} given names, not {given.Count}");
            for (var i = 0; i < given.Count; i++)
                RequiredText(errors, $"{field}.name.given[{i}]", given[i], "a given name", MaxNamePartLength);
            Text(errors, $"{field}.name.prefix", demographics.Name.Prefix, MaxNamePartLength);
        }

        BirthDate(errors, $"{field}.birth_date", demographics.BirthDate, now);
        OneOf(errors, $"{field}.gender", demographics.Gender, Genders);
        if (demographics.Address is { } address)
            Address(errors, $"{field}.address", address);

        var telecom = demographics.Telecom ?? [];
        if (telecom.Count > MaxTelecom)
            errors.Add($"{field}.telecom", $"at most {MaxTelecom} contact points, not {telecom.Count}");
        for (var i = 0; i < telecom.Count; i++)
        {
            OneOf(errors, $"{field}.telecom[{i}].system", telecom[i].System, TelecomSystems);
            RequiredText(errors, $"{field}.telecom[{i}].value", telecom[i].Value, "a value", MaxShortTextLength);
            OneOf(errors, $"{field}.telecom[{i}].use", telecom[i].Use, TelecomUses, required: false);
        }
    }

    private static void Address(ValidationErrors errors, string field, PostalAddress address)
    {
        var lines = address.Lines ?? [];
        if (lines.Count > MaxAddressLines)
            errors.Add($"{field}.line", $"at most {MaxAddressLines} lines, not {lines.Count}");
        for (var i = 0; i < lines.Count; i++)
            RequiredText(errors, $"{field}.line[{i}]", lines[i], "an address line", MaxAddressLineLength);
        Text(errors, $"{field}.city", address.City, MaxAddressLineLength);
        Text(errors, $"{field}.district", address.District, MaxAddressLineLength);
        Text(errors, $"{field}.postal_code", address.PostalCode, MaxPostalCodeLength);
        Text(errors, $"{field}.country", address.Country, MaxAddressLineLength);
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
