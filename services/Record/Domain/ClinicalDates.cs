using System.Globalization;

namespace Chronicle.Record.Domain;

/// <summary>
/// Checks that a clinical date or time lies in the patient's lifetime: not in the future and not before
/// they were born.
/// </summary>
public sealed class ClinicalDates(DateTimeOffset now, DateOnly? birthDate)
{
    /// <summary>How far ahead of our clock a caller's clock may run before its "now" counts as the future.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static readonly DateOnly EarliestBirthDate = new(1900, 1, 1);

    // A date carries no time zone. UK civil time runs at most one hour ahead of UTC (BST), so a date is
    // only in the future once it is later than today's date in UK time.
    private static readonly TimeSpan UkMaxOffset = TimeSpan.FromHours(1);

    /// <summary>The latest date that is not in the future anywhere this record is written.</summary>
    public static DateOnly LatestToday(DateTimeOffset now) => DateOnly.FromDateTime((now + ClockSkew + UkMaxOffset).UtcDateTime);

    public void Date(ValidationErrors errors, string field, DateOnly date)
    {
        if (date > LatestToday(now))
            errors.Add(field, $"{RecordRules.Iso(date)} is in the future");
        else if (birthDate is { } born && date < born)
            errors.Add(field, $"{RecordRules.Iso(date)} is before the patient's birth date ({RecordRules.Iso(born)})");
    }

    public void Instant(ValidationErrors errors, string field, DateTimeOffset instant)
    {
        if (instant > now + ClockSkew)
            errors.Add(field, $"{Format(instant)} is in the future");
        else if (birthDate is { } born && DateOnly.FromDateTime((instant + UkMaxOffset).UtcDateTime) < born)
            errors.Add(field, $"{Format(instant)} is before the patient's birth date ({RecordRules.Iso(born)})");
    }

    private static string Format(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
