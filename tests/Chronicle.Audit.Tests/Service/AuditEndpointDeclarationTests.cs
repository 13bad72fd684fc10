using Chronicle.Audit.Host;
using Chronicle.Testing;
using Microsoft.AspNetCore.Builder;

namespace Chronicle.Audit.Tests.Service;

/// <summary>
/// Every endpoint of the Audit service, as AuditService.Compose (what Program.cs runs) maps them, declares what it does to
/// patient data. An endpoint added without a declaration fails here (and the service refuses to start).
/// </summary>
public sealed class AuditEndpointDeclarationTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("chronicle-audit-declarations-").FullName;

    [Fact]
    public async Task GivenTheAuditServiceAsComposed_WhenItsEndpointsAreListed_ThenEveryOneDeclaresItsAuditActionOrThatItTouchesNoPatientData()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args =
            [
                $"--Chronicle:DataDirectory={_data}", "--Chronicle:Transport=direct", "--Chronicle:AppId=audit",
                $"--{TestAppApiToken.Setting}={TestAppApiToken.Value}", "--Chronicle:Security:Authority=http://127.0.0.1:9",
                .. TestEmitters.Settings(),
            ],
        });
        await using var app = AuditService.Compose(builder, AuditHostSettings.From(builder.Configuration));

        var declared = EndpointDeclarations.Of(app);

        Assert.True(declared.All(d => d.Value != EndpointDeclarations.Undeclared),
            "Undeclared: " + string.Join("; ", declared.Where(d => d.Value == EndpointDeclarations.Undeclared).Select(d => d.Key)));
        Assert.Equal("Audited Read", declared["GET,HEAD /fhir/AuditEvent/{id}"]);
        Assert.Equal("Audited Search", declared["GET,HEAD /fhir/AuditEvent/"]);
        Assert.Equal("Audited Verify", declared["GET /audit/verify"]);
        Assert.Equal("Audited Replay", declared["GET /audit/replay/{patientId}/as-at"]);
        Assert.Equal("AuditedAsFhirInteraction", declared["/fhir/{**path}"]);
        Assert.Equal("NoPatientData", declared["GET,HEAD /fhir/metadata"]);
        Assert.Equal("NoPatientData", declared["/healthz"]);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
