namespace Chronicle.Record.Domain;

/// <summary>Collects every broken rule of a command, so the caller learns all of them at once.</summary>
public sealed class ValidationErrors
{
    private readonly List<ValidationError> _errors = [];

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message) => _errors.Add(new ValidationError(field, message));

    public void ThrowIfAny()
    {
        if (Any)
            throw ToException();
    }

    public RecordValidationException ToException() => new(_errors.ToArray());
}
