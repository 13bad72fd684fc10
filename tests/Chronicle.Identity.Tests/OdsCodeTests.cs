using System.Net;
using System.Text.Json;
using Chronicle.Contracts;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Identity.Tests;

/// <summary>ODS codes are read in any case and stored normalised; a malformed one is a 400 with problem details, never a 500.</summary>
[Collection(SecurityCollection.Name)]
public sealed class OdsCodeTests(SecurityFixture fixture)
{
    [Fact]
    public async Task GivenAPracticeManager_WhenTheyEnableAndDisableAModuleWithALowerCaseOdsCode_ThenBothTakeEffect()
    {
        var manager = await fixture.StaffTokenAsync(StaffRoles.PracticeManager, DemoDirectory.PracticeB);
        var during = Guid.NewGuid().ToString();
        var after = Guid.NewGuid().ToString();
        await fixture.RegisterAsync(during, DemoDirectory.PracticeB);
        await fixture.RegisterAsync(after, DemoDirectory.PracticeB);
        var module = await fixture.ModuleTokenAsync("system/Patient.rs");
        var lower = DemoDirectory.PracticeB.ToLowerInvariant();

        var enabled = await SendAsync(HttpMethod.Put, $"admin/practices/{lower}/modules/{DemoDirectory.ModuleClientId}", manager);
        var listed = await SendAsync(HttpMethod.Get, $"admin/practices/{lower}/modules", manager);
        var allowedDuring = await ProtectedEndpoints.CallAsync(Endpoint.FhirReadPatient, fixture, module, during);
        var disabled = await SendAsync(HttpMethod.Delete, $"admin/practices/{lower}/modules/{DemoDirectory.ModuleClientId}", manager);
        var deniedAfter = await ProtectedEndpoints.CallAsync(Endpoint.FhirReadPatient, fixture, module, after);

        Assert.Equal(HttpStatusCode.NoContent, enabled.Status);
        Assert.Contains(JsonSerializer.Deserialize<List<JsonElement>>(listed.Body)!,
            m => m.GetProperty("clientId").GetString() == DemoDirectory.ModuleClientId && m.GetProperty("enabled").GetBoolean());
        Assert.Equal(200, allowedDuring.Status);
        Assert.Equal(HttpStatusCode.NoContent, disabled.Status);
        Assert.Equal(403, deniedAfter.Status);
        await using var scope = fixture.Identity.Services.CreateAsyncScope();
        Assert.DoesNotContain(scope.ServiceProvider.GetRequiredService<IdentityDbContext>().ModuleEnablements,
            e => e.ClientId == DemoDirectory.ModuleClientId && e.PracticeOds == DemoDirectory.PracticeB);
    }

    public static TheoryData<string, string> MalformedCodes()
    {
        var data = new TheoryData<string, string>();
        foreach (var code in new[] { "A8", "A81001A81001", "A81-01", "A8%C4%B11001", "%20" })
        foreach (var method in new[] { "GET", "PUT", "DELETE" })
            data.Add(code, method);
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedCodes))]
    public async Task GivenAMalformedOdsCode_WhenAModuleEndpointIsCalled_ThenItAnswers400WithProblemDetailsAndChangesNothing(string code, string method)
    {
        var manager = await fixture.StaffTokenAsync(StaffRoles.PracticeManager);
        var path = method == "GET" ? $"admin/practices/{code}/modules" : $"admin/practices/{code}/modules/{DemoDirectory.ModuleClientId}";

        var response = await SendAsync(new HttpMethod(method), path, manager);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains("is not an ODS code", JsonDocument.Parse(response.Body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await using var scope = fixture.Identity.Services.CreateAsyncScope();
        Assert.Equal([DemoDirectory.PracticeA],
            scope.ServiceProvider.GetRequiredService<IdentityDbContext>().ModuleEnablements
                .Where(e => e.ClientId == DemoDirectory.ModuleClientId).Select(e => e.PracticeOds).ToList());
    }

    [Fact]
    public async Task GivenTwoManagersEnablingTheSameModuleAtOnce_WhenBothCommit_ThenBothAnswer204()
    {
        var manager = await fixture.StaffTokenAsync(StaffRoles.PracticeManager, DemoDirectory.PracticeB);
        var path = $"admin/practices/{DemoDirectory.PracticeB}/modules/{DemoDirectory.ModuleClientId}";

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(HttpMethod.Put, path, manager)));
        var disabled = await SendAsync(HttpMethod.Delete, path, manager);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NoContent, a.Status));
        Assert.Equal(HttpStatusCode.NoContent, disabled.Status);
    }

    [Theory]
    [InlineData("a81001", "A81001")]
    [InlineData(" y12345 ", "Y12345")]
    [InlineData("RXA", "RXA")]
    public void GivenAnOdsCodeInAnyCase_WhenItIsParsed_ThenItIsUpperCase(string text, string expected) =>
        Assert.Equal(expected, OdsCode.Parse(text).Value);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("a8")]
    [InlineData("a8ı001")] // dotless i upper-cases to I: refused, not read as A8I001
    [InlineData("A81\u00a0001")]
    [InlineData("A8 1001")]
    public void GivenTextThatIsNotAnOdsCode_WhenItIsParsed_ThenItIsRefused(string? text) =>
        Assert.False(OdsCode.TryParse(text, out _));

    private sealed record Answer(HttpStatusCode Status, string? ContentType, string Body);

    private async Task<Answer> SendAsync(HttpMethod method, string path, string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, new Uri(fixture.Identity.Http, path));
        request.Headers.Authorization = OAuthTestClient.Bearer(token);
        using var response = await http.SendAsync(request);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }
}
