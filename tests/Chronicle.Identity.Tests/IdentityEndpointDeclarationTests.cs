using Chronicle.Contracts.Identity.V1;
using Chronicle.Identity.Hosting;
using Chronicle.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Chronicle.Identity.Tests;

/// <summary>
/// Every endpoint and gRPC method of Identity, as IdentityService.Compose (what Program.cs runs) maps them, declares what it
/// does to patient data. An endpoint added without a declaration fails here (and the service refuses to start).
/// </summary>
public sealed class IdentityEndpointDeclarationTests : IDisposable
{
    private readonly string _data = System.IO.Directory.CreateTempSubdirectory("chronicle-identity-declarations-").FullName;

    [Fact]
    public async Task GivenIdentityAsComposed_WhenItsEndpointsAreListed_ThenEveryEndpointAndGrpcMethodDeclaresItsAuditActionOrThatItTouchesNoPatientData()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chronicle:DataDirectory"] = _data,
            ["Chronicle:Ports:Http"] = "0",
            ["Chronicle:Ports:Grpc"] = "0",
            ["Chronicle:AppId"] = IdentityHost.AppId,
            ["Chronicle:Transport"] = "direct",
            [TestAppApiToken.Setting] = TestAppApiToken.Value,
        });
        await using var app = IdentityService.Compose(builder, IdentityHostSettings.From(builder.Configuration));

        var declared = EndpointDeclarations.Of(app);

        Assert.True(declared.All(d => d.Value != EndpointDeclarations.Undeclared),
            "Undeclared: " + string.Join("; ", declared.Where(d => d.Value == EndpointDeclarations.Undeclared).Select(d => d.Key)));
        Assert.All(EndpointDeclarations.MethodsOf(Contracts.Identity.V1.Access.Descriptor), method => Assert.Equal("Audited Read", declared[method]));
        Assert.Equal("Audited Search", declared["GET /admin/practices/{ods}/modules/"]);
        Assert.Equal("Audited Update", declared["PUT /admin/practices/{ods}/modules/{clientId}"]);
        Assert.Equal("Audited Update", declared["DELETE /admin/practices/{ods}/modules/{clientId}"]);
        Assert.Equal("NoPatientData", declared["POST /modules"]);
    }

    public void Dispose() => System.IO.Directory.Delete(_data, recursive: true);
}
