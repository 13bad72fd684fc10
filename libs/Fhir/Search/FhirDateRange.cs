using System.Globalization;
using System.Text.RegularExpressions;

namespace Chronicle.Fhir.Search;

/// <summary>
/// The span of time a FHIR date, dateTime or instant stands for, in whole microseconds since the Unix epoch (UTC),
/// both ends inclusive. "2024" covers the whole year; an instant covers one microsecond. Microseconds are the
/// precision both PostgreSQL and SQLite keep, so stored index values and query values compare exactly.
/// </summary>
public readonly partial record struct FhirDateRange(long Low, long High)
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    public static FhirDateRange Instant(DateTimeOffset instant)
    {
        var micros = ToMicros(instant);
        return new FhirDateRange(micros, micros);
    }

    public static FhirDateRange Day(DateOnly day)
    {
        var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return new FhirDateRange(ToMicros(start), ToMicros(start.AddDays(1)) - 1);
    }

    public static long ToMicros(DateTimeOffset instant) => (instant.UtcTicks - Epoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    public static DateTimeOffset FromMicros(long micros) => Epoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond);

    /// <summary>
    /// Parses a FHIR date / dateTime / instant as used in search: YYYY, YYYY-MM, YYYY-MM-DD, or a date and time
    /// (to the minute, second or fraction) with a time zone, which FHIR requires whenever a time is given.
    /// </summary>
    public static bool TryParse(string value, out FhirDateRange range, out string? error)
    {
        range = default;
        error = null;
        var match = DatePattern().Match(value);
        if (!match.Success)
        {
            error = $"'{value}' is not a FHIR date: use YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.ffffff]](Z|+hh:mm).";
            return false;
        }

        try
        {
            var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
            if (!match.Groups["month"].Success)
            {
                var start = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero);
                range = Between(start, start.AddYears(1));
                return true;
            }

            var month = int.Parse(match.Groups["month"].Value, CultureInfo.InvariantCulture);
            if (!match.Groups["day"].Success)
            {
                var start = new DateTimeOffset(year, month, 1, 0, 0, 0, TimeSpan.Zero);
                range = Between(start, start.AddMonths(1));
                return true;
            }

            var day = int.Parse(match.Groups["day"].Value, CultureInfo.InvariantCulture);
            if (!match.Groups["time"].Success)
            {
                range = Day(new DateOnly(year, month, day));
                return true;
            }

            if (!match.Groups["zone"].Success)
            {
                error = $"'{value}' gives a time without a time zone; add 'Z' or an offset such as '+01:00'.";
                return false;
            }

            var instant = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.None);
            var unit = match.Groups["fraction"].Success ? TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond)
                : match.Groups["second"].Success ? TimeSpan.FromSeconds(1)
                : TimeSpan.FromMinutes(1);
            range = Between(instant, instant + unit);
            return true;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or FormatException)
        {
            error = $"'{value}' is not a real date or time.";
            return false;
        }
    }

    private static FhirDateRange Between(DateTimeOffset start, DateTimeOffset endExclusive) =>
        new(ToMicros(start), ToMicros(endExclusive) - 1);

    [GeneratedRegex(@"^(?<year>\d{4})(-(?<month>\d{2})(-(?<day>\d{2})(?<time>T\d{2}:\d{2}(?<second>:\d{2}(?<fraction>\.\d{1,9})?)?(?<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$")]
    private static partial Regex DatePattern();
}
