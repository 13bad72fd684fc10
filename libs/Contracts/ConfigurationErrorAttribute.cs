namespace Chronicle.Contracts;

/// <summary>
/// Marks an exception type whose message names a setting an operator must fix (a library's own configuration error, such
/// as the audit signing key's). A Chronicle service host reports it as it reports its own configuration errors: one
/// sentence on standard error and exit code 2. It lives here, in the contracts every library references, so a library
/// can mark its errors without knowing the host.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class ConfigurationErrorAttribute : Attribute;
