namespace Chronicle.Contracts;

/// <summary>
/// Declares that an HTTP endpoint or a gRPC service or method touches no patient data (discovery, health, sign-in, the
/// Dapr app callback), so no audit entry is written for it. Every endpoint of a Chronicle service either says this or
/// declares its audit action (Chronicle.Auditing's <c>AuditedAttribute</c>); a service with an endpoint that does
/// neither refuses to start. It lives here, in the contracts every library references, so a library that maps
/// endpoints of its own (messaging, health) can declare them.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class NoPatientDataAttribute(string reason) : Attribute
{
    /// <summary>Why nothing here reaches a patient's data, for a reviewer reading the declaration.</summary>
    public string Reason { get; } = reason;
}
