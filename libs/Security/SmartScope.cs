using System.Diagnostics.CodeAnalysis;

namespace Chronicle.Security;

/// <summary>Whose data a SMART scope reaches: one patient's, whatever the signed-in user may see, or a backend system's.</summary>
public enum ScopeContext
{
    Patient,
    User,
    System,
}

/// <summary>The SMART v2 interactions a scope grants (<c>c r u d s</c>).</summary>
[Flags]
public enum ScopeAccess
{
    None = 0,
    Create = 1,
    Read = 2,
    Update = 4,
    Delete = 8,
    Search = 16,
    Write = Create | Update | Delete,
    All = Create | Read | Update | Delete | Search,
}

/// <summary>
/// A SMART on FHIR clinical scope, v2 (<c>system/Patient.rs</c>, <c>user/Observation.cruds</c>, <c>patient/*.rs</c>)
/// or v1 (<c>user/Observation.read</c>, <c>patient/*.write</c>, <c>system/*.*</c>). Query-restricted v2 scopes
/// (<c>patient/Observation.rs?category=laboratory</c>) are not understood and grant nothing, so they fail closed.
/// </summary>
public sealed record SmartScope(ScopeContext Context, string ResourceType, ScopeAccess Access)
{
    public const string AnyResource = "*";

    public bool IsWildcard => ResourceType == AnyResource;

    /// <summary>Whether this scope allows <paramref name="access"/> to resources of <paramref name="resourceType"/>.</summary>
    public bool Permits(string resourceType, ScopeAccess access) =>
        access != ScopeAccess.None
        && (IsWildcard || string.Equals(ResourceType, resourceType, StringComparison.Ordinal))
        && (Access & access) == access;

    /// <summary>Whether everything <paramref name="other"/> grants is granted by this scope too.</summary>
    public bool Covers(SmartScope other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Context == other.Context
            && (IsWildcard || string.Equals(ResourceType, other.ResourceType, StringComparison.Ordinal))
            && (Access & other.Access) == other.Access;
    }

    /// <summary>What both scopes grant, or null when they share nothing (e.g. user/*.cruds and user/Patient.rs give user/Patient.rs).</summary>
    public SmartScope? Intersect(SmartScope other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Context != other.Context)
            return null;
        var resourceType = IsWildcard ? other.ResourceType
            : other.IsWildcard || string.Equals(ResourceType, other.ResourceType, StringComparison.Ordinal) ? ResourceType
            : null;
        var access = Access & other.Access;
        return resourceType is null || access == ScopeAccess.None ? null : new SmartScope(Context, resourceType, access);
    }

    public override string ToString() => $"{ContextName(Context)}/{ResourceType}.{AccessText(Access)}";

    public static bool TryParse(string? text, [NotNullWhen(true)] out SmartScope? scope)
    {
        scope = null;
        if (string.IsNullOrEmpty(text))
            return false;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var dot = text.LastIndexOf('.');
        if (slash <= 0 || dot <= slash + 1 || dot == text.Length - 1)
            return false;
        ScopeContext? context = text[..slash] switch
        {
            "patient" => ScopeContext.Patient,
            "user" => ScopeContext.User,
            "system" => ScopeContext.System,
            _ => null,
        };
        var resourceType = text[(slash + 1)..dot];
        var access = ParseAccess(text[(dot + 1)..]);
        if (context is null || access == ScopeAccess.None || !IsResourceType(resourceType))
            return false;
        scope = new SmartScope(context.Value, resourceType, access);
        return true;
    }

    public static SmartScope Parse(string text) =>
        TryParse(text, out var scope) ? scope : throw new FormatException($"'{text}' is not a SMART on FHIR clinical scope.");

    /// <summary>The clinical scopes in a space-separated OAuth scope string; other scopes (openid, offline_access…) are skipped.</summary>
    public static IReadOnlyList<SmartScope> ParseList(string? scopes)
    {
        if (string.IsNullOrWhiteSpace(scopes))
            return [];
        var result = new List<SmartScope>();
        foreach (var item in scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryParse(item, out var scope))
                result.Add(scope);
        }

        return result;
    }

    private static ScopeAccess ParseAccess(string text)
    {
        switch (text)
        {
            case "read":
                return ScopeAccess.Read | ScopeAccess.Search;
            case "write":
                return ScopeAccess.Write;
            case "*":
                return ScopeAccess.All;
        }

        // v2 permissions are a subset of "cruds" in that order, each at most once.
        var access = ScopeAccess.None;
        var order = 0;
        foreach (var c in text)
        {
            var (position, flag) = c switch
            {
                'c' => (1, ScopeAccess.Create),
                'r' => (2, ScopeAccess.Read),
                'u' => (3, ScopeAccess.Update),
                'd' => (4, ScopeAccess.Delete),
                's' => (5, ScopeAccess.Search),
                _ => (0, ScopeAccess.None),
            };
            if (position <= order)
                return ScopeAccess.None;
            order = position;
            access |= flag;
        }

        return access;
    }

    private static bool IsResourceType(string text) =>
        text == AnyResource
        || (text.Length > 0 && char.IsAsciiLetterUpper(text[0]) && text.All(char.IsAsciiLetter));

    private static string ContextName(ScopeContext context) => context switch
    {
        ScopeContext.Patient => "patient",
        ScopeContext.User => "user",
        _ => "system",
    };

    private static string AccessText(ScopeAccess access)
    {
        Span<char> letters = stackalloc char[5];
        var length = 0;
        if (access.HasFlag(ScopeAccess.Create)) letters[length++] = 'c';
        if (access.HasFlag(ScopeAccess.Read)) letters[length++] = 'r';
        if (access.HasFlag(ScopeAccess.Update)) letters[length++] = 'u';
        if (access.HasFlag(ScopeAccess.Delete)) letters[length++] = 'd';
        if (access.HasFlag(ScopeAccess.Search)) letters[length++] = 's';
        return new string(letters[..length]);
    }
}
