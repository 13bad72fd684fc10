namespace Chronicle.Commands;

/// <summary>One broken rule, named by the request field it concerns, e.g. "entries[2].observation.value.unit".</summary>
public sealed record ValidationError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>
/// Collects every broken rule of a command, so the caller learns all of them at once. The refusal is the service's
/// own exception (it names the service's vocabulary); <see cref="CommandValidationException"/> when it has none.
/// </summary>
public sealed class ValidationErrors
{
    private readonly List<ValidationError> _errors = [];

    public bool Any => _errors.Count > 0;

    public IReadOnlyList<ValidationError> Errors => _errors;

    public void Add(string field, string message) => _errors.Add(new ValidationError(field, message));

    /// <summary>Throws the refusal <paramref name="refusal"/> makes of the errors collected, if there are any.</summary>
    public void ThrowIfAny(Func<IReadOnlyList<ValidationError>, Exception> refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        if (Any)
            throw refusal(_errors.ToArray());
    }
}
