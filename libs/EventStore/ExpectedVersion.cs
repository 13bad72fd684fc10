namespace Chronicle.EventStore;

/// <summary>
/// The writer's belief about a stream's current version, checked atomically with the append.
/// Stream versions are zero-based: the first event of a stream has version 0, so a stream
/// holding one event is at version 0 and a missing stream is at <see cref="StreamState.NoStreamVersion"/>.
/// </summary>
public readonly record struct ExpectedVersion
{
    private const long AnyValue = -2;
    private const long NoStreamValue = -1;
    private const long StreamExistsValue = -4;

    // Stored shifted so that default(ExpectedVersion) is recognisably "not set" rather than Exact(0).
    private const long Shift = 8;
    private readonly long _shifted;

    private ExpectedVersion(long value) => _shifted = value + Shift;

    /// <summary>The wire value: -2 any, -1 no stream, -4 stream exists, 0..N exact.</summary>
    public long Value => _shifted - Shift;

    /// <summary>False for default(ExpectedVersion), which no append accepts.</summary>
    public bool IsSet => _shifted != 0;

    public static ExpectedVersion Any { get; } = new(AnyValue);
    public static ExpectedVersion NoStream { get; } = new(NoStreamValue);
    public static ExpectedVersion StreamExists { get; } = new(StreamExistsValue);

    public static ExpectedVersion Exact(long version) => version >= 0
        ? new ExpectedVersion(version)
        : throw new InvalidAppendException(InvalidAppendReason.ExpectedVersion,
            $"Expected version {version} is invalid: an exact version must be 0 or greater.");

    /// <summary>Decodes a wire value, rejecting anything that is not one of the defined forms.</summary>
    public static ExpectedVersion FromValue(long value) => value switch
    {
        AnyValue => Any,
        NoStreamValue => NoStream,
        StreamExistsValue => StreamExists,
        >= 0 => new ExpectedVersion(value),
        _ => throw new InvalidAppendException(InvalidAppendReason.ExpectedVersion,
            $"Expected version {value} is invalid: use -2 (any), -1 (no stream), -4 (stream exists) or an exact version >= 0."),
    };

    public bool IsSatisfiedBy(long currentVersion) => Value switch
    {
        AnyValue => true,
        NoStreamValue => currentVersion == StreamState.NoStreamVersion,
        StreamExistsValue => currentVersion != StreamState.NoStreamVersion,
        _ => currentVersion == Value,
    };

    public override string ToString() => Value switch
    {
        AnyValue => "any",
        NoStreamValue => "no-stream",
        StreamExistsValue => "stream-exists",
        _ => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>Whether a stream exists and, if so, the version of its last event.</summary>
public readonly record struct StreamState(bool Exists, long Version)
{
    public const long NoStreamVersion = -1;
    public static StreamState NoStream { get; } = new(false, NoStreamVersion);
}
