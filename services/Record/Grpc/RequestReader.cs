using System.Globalization;
using Chronicle.Record.Domain;
using Google.Protobuf.WellKnownTypes;
using Proto = Chronicle.Contracts.Record.V1;

namespace Chronicle.Record.Grpc;

/// <summary>
/// Reads the wire forms of a request (UUID text, "YYYY-MM-DD", decimal text, Timestamps) into domain values,
/// collecting every field it cannot read so the caller hears about all of them at once.
/// </summary>
internal sealed class RequestReader
{
    private readonly ValidationErrors _errors = new();

    public void ThrowIfAny() => _errors.ThrowIfAny();

    /// <summary>Every problem found so far, as the refusal would word it; null when none.</summary>
    public string? Problem => _errors.Any ? _errors.ToException().Message : null;

    public void Reject(string field, string message) => _errors.Add(field, message);

    public Guid CommandId(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            _errors.Add("command_id", "a command id (a UUID chosen by the client) is required");
            return Guid.Empty;
        }

        return TryParseUuid(text, out var id)
            ? id
            : Invalid<Guid>("command_id", NotAUuid(text));
    }

    public PatientId PatientId(string text) => Domain.PatientId.TryParse(text, out var id)
        ? id
        : Invalid<PatientId>("patient_id", string.IsNullOrEmpty(text) ? "a patient id is required" : NotAUuid(text));

    /// <summary>An optional client-chosen id: the derived one when empty.</summary>
    public Guid OptionalId(string field, string text, Guid derived)
    {
        if (string.IsNullOrEmpty(text))
            return derived;
        return TryParseUuid(text, out var id)
            ? id
            : Invalid<Guid>(field, NotAUuid(text));
    }

    public Guid RequiredId(string field, string text, string what)
    {
        if (string.IsNullOrEmpty(text))
            return Invalid<Guid>(field, $"{what} is required");
        return OptionalId(field, text, Guid.Empty);
    }

    public long ExpectedVersion(long version) => version >= 0
        ? version
        : Invalid<long>("expected_version", "must be 0 or more: the version of the record you last read");

    public DateOnly? OptionalDate(string field, string text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : Invalid<DateOnly?>(field, $"'{text}' is not a date in the form YYYY-MM-DD");
    }

    public DateOnly RequiredDate(string field, string text, string what) => string.IsNullOrEmpty(text)
        ? Invalid<DateOnly>(field, $"{what} is required")
        : OptionalDate(field, text) ?? default;

    public DateTimeOffset? OptionalInstant(string field, Timestamp? timestamp)
    {
        if (timestamp is null)
            return null;
        try
        {
            return timestamp.ToDateTimeOffset();
        }
        catch (InvalidOperationException)
        {
            return Invalid<DateTimeOffset?>(field, "is not a valid timestamp");
        }
    }

    public DateTimeOffset RequiredInstant(string field, Timestamp? timestamp, string what) => timestamp is null
        ? Invalid<DateTimeOffset>(field, $"{what} is required")
        : OptionalInstant(field, timestamp) ?? default;

    /// <summary>A missing coding reads as an empty one, so the domain's rules name the missing system and code.</summary>
    public static Coding Coding(Proto.Coding? coding) => coding is null
        ? new Coding("", "")
        : new Coding(coding.System, coding.Code, NullIfEmpty(coding.Display));

    public static Coding? OptionalCoding(Proto.Coding? coding) => coding is null ? null : Coding(coding);

    public Quantity? Quantity(string field, Proto.Quantity? quantity)
    {
        if (quantity is null)
            return null;
        if (decimal.TryParse(quantity.Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return new Quantity(value, quantity.Unit);
        return Invalid<Quantity?>($"{field}.value", string.IsNullOrEmpty(quantity.Value)
            ? "a value is required"
            : $"'{quantity.Value}' is not a decimal number (e.g. \"72.5\")");
    }

    public Demographics Demographics(string field, Proto.Demographics? demographics)
    {
        if (demographics is null)
            return Invalid<Demographics>(field, "demographics are required");

        var name = demographics.Name is null
            ? Invalid<PersonName>($"{field}.name", "a name is required")
            : new PersonName(demographics.Name.Family, demographics.Name.Given.ToArray(), NullIfEmpty(demographics.Name.Prefix));
        var address = demographics.Address is null
            ? null
            : new PostalAddress(demographics.Address.Line.ToArray(), NullIfEmpty(demographics.Address.City),
                NullIfEmpty(demographics.Address.District), NullIfEmpty(demographics.Address.PostalCode),
                NullIfEmpty(demographics.Address.Country) ?? "GB");
        var telecom = demographics.Telecom.Select(t => new ContactPoint(t.System, t.Value, NullIfEmpty(t.Use))).ToArray();
        return new Demographics(name, RequiredDate($"{field}.birth_date", demographics.BirthDate, "a birth date"),
            demographics.Gender, address, telecom);
    }

    public static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    /// <summary>A UUID in its one text form, 8-4-4-4-12 hex digits, and not the nil UUID (<see cref="Domain.PatientId.TryParse"/>).</summary>
    private static bool TryParseUuid(string text, out Guid id) => Guid.TryParseExact(text, "D", out id) && id != Guid.Empty;

    // The junk is not echoed whole: a field meant for 36 characters may carry anything.
    private static string NotAUuid(string text) => Guid.TryParseExact(text, "D", out _)
        ? "the nil UUID names nothing, so give a UUID of your own (e.g. a version 7 one)"
        : $"'{(text.Length > 40 ? text[..40] + "…" : text)}' is not a UUID (8-4-4-4-12 hex digits, e.g. 3f2504e0-4f89-11d3-9a0c-0305e82c3301)";

    private T Invalid<T>(string field, string message)
    {
        _errors.Add(field, message);
        return default!;
    }
}
