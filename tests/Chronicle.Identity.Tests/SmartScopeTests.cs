using Chronicle.Security;

namespace Chronicle.Identity.Tests;

public sealed class SmartScopeTests
{
    [Theory]
    [InlineData("system/Patient.rs", ScopeContext.System, "Patient", ScopeAccess.Read | ScopeAccess.Search)]
    [InlineData("user/Observation.cruds", ScopeContext.User, "Observation", ScopeAccess.All)]
    [InlineData("patient/*.rs", ScopeContext.Patient, "*", ScopeAccess.Read | ScopeAccess.Search)]
    [InlineData("user/Observation.read", ScopeContext.User, "Observation", ScopeAccess.Read | ScopeAccess.Search)]
    [InlineData("patient/*.write", ScopeContext.Patient, "*", ScopeAccess.Write)]
    [InlineData("system/*.*", ScopeContext.System, "*", ScopeAccess.All)]
    [InlineData("user/Appointment.cud", ScopeContext.User, "Appointment", ScopeAccess.Write)]
    public void GivenAClinicalScope_WhenParsed_ThenItsPartsAreKnown(string text, ScopeContext context, string resourceType, ScopeAccess access)
    {
        var scope = SmartScope.Parse(text);

        Assert.Equal(new SmartScope(context, resourceType, access), scope);
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("offline_access")]
    [InlineData("system/Patient.")]
    [InlineData("system/Patient.sr")]
    [InlineData("system/Patient.rr")]
    [InlineData("admin/Patient.rs")]
    [InlineData("user/patient.rs")]
    [InlineData("user/Observation.rs?category=laboratory")]
    [InlineData("user/.rs")]
    public void GivenSomethingElse_WhenParsed_ThenItIsNotAClinicalScope(string text)
    {
        Assert.False(SmartScope.TryParse(text, out _));
    }

    [Theory]
    [InlineData("system/Patient.rs", "Patient", ScopeAccess.Read, true)]
    [InlineData("system/Patient.rs", "Patient", ScopeAccess.Search, true)]
    [InlineData("system/Patient.rs", "Patient", ScopeAccess.Create, false)]
    [InlineData("system/Patient.rs", "Observation", ScopeAccess.Read, false)]
    [InlineData("user/*.cruds", "Observation", ScopeAccess.Create, true)]
    [InlineData("patient/Observation.r", "Observation", ScopeAccess.Search, false)]
    [InlineData("system/Patient.rs", "*", ScopeAccess.Read, false)]
    [InlineData("system/*.rs", "*", ScopeAccess.Read, true)]
    public void GivenAScope_WhenAskedWhetherItPermitsAnInteraction_ThenItAnswersByTypeAndAccess(
        string scope, string resourceType, ScopeAccess access, bool permitted)
    {
        Assert.Equal(permitted, SmartScope.Parse(scope).Permits(resourceType, access));
    }

    [Theory]
    [InlineData("user/*.cruds", "user/Patient.rs", "user/Patient.rs")]
    [InlineData("user/*.rs", "user/*.cruds", "user/*.rs")]
    [InlineData("user/Patient.cruds", "user/*.rs", "user/Patient.rs")]
    [InlineData("user/Patient.rs", "user/Observation.rs", null)]
    [InlineData("user/*.rs", "system/*.rs", null)]
    [InlineData("patient/Appointment.cud", "patient/Appointment.rs", null)]
    public void GivenTwoScopes_WhenIntersected_ThenTheResultGrantsWhatBothGrant(string left, string right, string? expected)
    {
        Assert.Equal(expected, SmartScope.Parse(left).Intersect(SmartScope.Parse(right))?.ToString());
    }

    [Fact]
    public void GivenAScopeString_WhenParsedAsAList_ThenProtocolScopesAreSkipped()
    {
        var scopes = SmartScope.ParseList("openid offline_access system/Patient.rs  user/Observation.read");

        Assert.Equal(["system/Patient.rs", "user/Observation.rs"], scopes.Select(s => s.ToString()));
    }
}
