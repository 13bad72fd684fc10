using Chronicle.Contracts.Identity.V1;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Grpc.Core;

namespace Chronicle.Identity.Tests;

/// <summary>One break-glass rule (libs/Security) for the services that read a reason and for Identity that answers on it.</summary>
[Collection(SecurityCollection.Name)]
public sealed class BreakGlassReasonTests(SecurityFixture fixture)
{
    public static TheoryData<string> RefusedReasons() => new(new string('x', BreakGlass.MaxReasonLength + 1), "Collapsed\0in reception",
        "Collapsed\nFORGED LINE", "Seen at\u007fthe desk");

    [Theory]
    [MemberData(nameof(RefusedReasons))]
    public async Task GivenAReasonTheRuleRefuses_WhenIdentityIsAsked_ThenItAnswersInvalidArgumentAndGrantsNothing(string reason)
    {
        var token = await fixture.GpTokenAsync(DemoDirectory.PracticeB);

        var refusal = await Assert.ThrowsAsync<RpcException>(() =>
            IdentityAuditTests.AskAsync(fixture.Identity, token, fixture.PatientAtA, Guid.NewGuid().ToString(), reason));

        Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
        Assert.StartsWith("break_glass_reason ", refusal.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenAReasonOfTheLongestAllowedLength_WhenIdentityIsAsked_ThenItIsAllowedByBreakGlass()
    {
        var token = await fixture.GpTokenAsync(DemoDirectory.PracticeB);

        var reply = await IdentityAuditTests.AskAsync(fixture.Identity, token, fixture.PatientAtA, Guid.NewGuid().ToString(),
            "  " + new string('x', BreakGlass.MaxReasonLength) + "  ");

        Assert.Equal(AccessDecision.AllowedByBreakGlass, reply.Decision);
    }

    [Theory]
    [InlineData(null, true, null)]
    [InlineData("   ", true, null)]
    [InlineData("  Collapsed in reception ", true, "Collapsed in reception")]
    [InlineData("Collapsed\tin reception", false, null)]
    public void GivenAValue_WhenTheRuleReadsIt_ThenBlankIsNoReasonAndControlCharactersAreRefused(string? value, bool accepted, string? expected)
    {
        Assert.Equal(accepted, BreakGlass.TryReadReason(value, out var reason, out var problem));
        Assert.Equal(expected, reason);
        Assert.Equal(accepted, problem is null);
    }
}
