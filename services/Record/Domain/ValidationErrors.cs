namespace Chronicle.Record.Domain;

/// <summary>The record's refusal of a command's broken fields (collected in libs/Commands' <see cref="ValidationErrors"/>).</summary>
public static class RecordValidation
{
    public static void ThrowIfAny(this ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.ThrowIfAny(ToException);
    }

    public static RecordValidationException ToException(this ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return ToException(errors.Errors);
    }

    private static RecordValidationException ToException(IReadOnlyList<ValidationError> errors) => new(errors.ToArray());
}
