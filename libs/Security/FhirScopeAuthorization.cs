using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;

namespace Chronicle.Security;

/// <summary>
/// Declares which SMART scope a FHIR interaction or gRPC method needs: a scope of any context
/// (<c>patient/</c>, <c>user/</c>, <c>system/</c>) that permits <see cref="Access"/> on <see cref="ResourceType"/>.
/// Put it on a gRPC method or add it to a minimal API endpoint (<see cref="FhirScopeEndpointExtensions.RequireFhirScope{TBuilder}"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = true)]
public sealed class RequireFhirScopeAttribute(string resourceType, ScopeAccess access)
    : Attribute, IAuthorizationRequirement, IAuthorizationRequirementData
{
    public string ResourceType { get; } = resourceType;
    public ScopeAccess Access { get; } = access;

    public IEnumerable<IAuthorizationRequirement> GetRequirements() => [new DenyAnonymousAuthorizationRequirement(), this];

    public override string ToString() =>
        $"a scope that permits {Access.ToString().ToLowerInvariant()} on {(ResourceType == SmartScope.AnyResource ? "every resource type" : ResourceType)}";
}

/// <summary>Grants a <see cref="RequireFhirScopeAttribute"/> when the token's scopes permit it.</summary>
public sealed class FhirScopeHandler : AuthorizationHandler<RequireFhirScopeAttribute>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RequireFhirScopeAttribute requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        if (context.User.Identity?.IsAuthenticated == true
            && Caller.From(context.User).HasScopeFor(requirement.ResourceType, requirement.Access))
            context.Succeed(requirement);
        else
            context.Fail(new AuthorizationFailureReason(this, $"This request needs {requirement}."));
        return Task.CompletedTask;
    }
}

/// <summary>
/// Marks a gRPC method that names a patient but must not be checked for a relationship with them, because it
/// creates that relationship (e.g. registering a new patient). Scopes are still enforced.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NoPatientRelationshipCheckAttribute : Attribute;

public static class FhirScopeEndpointExtensions
{
    /// <summary>The endpoint needs a valid token with a scope permitting <paramref name="access"/> on <paramref name="resourceType"/>.</summary>
    public static TBuilder RequireFhirScope<TBuilder>(this TBuilder builder, string resourceType, ScopeAccess access)
        where TBuilder : Microsoft.AspNetCore.Builder.IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var requirement = new RequireFhirScopeAttribute(resourceType, access);
        builder.Add(endpoint => endpoint.Metadata.Add(requirement));
        return builder;
    }
}
