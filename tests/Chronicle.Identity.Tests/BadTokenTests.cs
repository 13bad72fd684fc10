using System.Text.Json;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Grpc.Core;

namespace Chronicle.Identity.Tests;

/// <summary>Every protected endpoint refuses every kind of bad token with 401 / UNAUTHENTICATED.</summary>
[Collection(SecurityCollection.Name)]
public sealed class BadTokenTests(SecurityFixture fixture)
{
    public static TheoryData<Endpoint, BadToken> EveryEndpointAndBadToken()
    {
        var data = new TheoryData<Endpoint, BadToken>();
        foreach (var endpoint in ProtectedEndpoints.All)
        foreach (var token in Enum.GetValues<BadToken>())
            data.Add(endpoint, token);
        return data;
    }

    /// <summary>Claims that would be allowed everywhere, so only the token's own fault can refuse it.</summary>
    private Dictionary<string, object> AllPowerfulClaims() => new()
    {
        ["sub"] = "manager-account", ["client_id"] = "chronicle-partner-ui", ["role"] = StaffRoles.PracticeManager,
        ["org"] = DemoDirectory.PracticeA, ["scope"] = "user/*.cruds",
    };

    [Theory]
    [MemberData(nameof(EveryEndpointAndBadToken))]
    public async Task GivenABadToken_WhenAnyEndpointIsCalled_ThenItAnswersUnauthenticated(Endpoint endpoint, BadToken kind)
    {
        var valid = ForgedTokens.Valid(fixture.Identity, AllPowerfulClaims());
        var token = ForgedTokens.Make(kind, fixture.Identity, valid, AllPowerfulClaims());

        var result = await ProtectedEndpoints.CallAsync(endpoint, fixture, token, fixture.PatientAtA);

        Assert.Equal(401, result.Status);
        if (result.GrpcStatus is not null)
        {
            Assert.Equal(StatusCode.Unauthenticated, result.GrpcStatus);
        }
        else
        {
            Assert.StartsWith("Bearer", result.WwwAuthenticate, StringComparison.Ordinal);
            if (endpoint.ToString().StartsWith("Fhir", StringComparison.Ordinal))
                AssertOperationOutcome(result.Body, "login");
        }
    }

    [Theory]
    [MemberData(nameof(EveryEndpointFhirOrGrpc))]
    public async Task GivenAWellFormedTokenSignedWithIdentitysKey_WhenCalled_ThenItIsAccepted(Endpoint endpoint)
    {
        var result = await ProtectedEndpoints.CallAsync(endpoint, fixture, ForgedTokens.Valid(fixture.Identity, AllPowerfulClaims()),
            fixture.PatientAtA);

        Assert.Equal(200, result.Status is 201 ? 200 : result.Status);
    }

    public static TheoryData<Endpoint> EveryEndpointFhirOrGrpc() => new(ProtectedEndpoints.All);

    internal static void AssertOperationOutcome(string body, string code)
    {
        using var json = JsonDocument.Parse(body);
        Assert.Equal("OperationOutcome", json.RootElement.GetProperty("resourceType").GetString());
        Assert.Equal(code, json.RootElement.GetProperty("issue")[0].GetProperty("code").GetString());
    }
}
