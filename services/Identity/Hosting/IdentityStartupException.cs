namespace Chronicle.Identity.Hosting;

/// <summary>A reason Identity refuses to start that an operator can act on; the host prints its message alone, on one line.</summary>
public sealed class IdentityStartupException(string message, Exception? inner = null) : Exception(message, inner);
