using Chronicle.Contracts.Record.V1;
using Chronicle.Record.Host;
using Chronicle.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Record.Tests.Host;

/// <summary>
/// Every FHIR endpoint and gRPC method of the Record, as RecordService.Compose (what Program.cs runs) maps them, declares
/// what it does to patient data. An endpoint added without a declaration fails here (and the service refuses to start).
/// </summary>
public sealed class RecordEndpointDeclarationTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("chronicle-record-declarations-").FullName;

    [Fact]
    public async Task GivenTheRecordAsComposed_WhenItsEndpointsAreListed_ThenEveryEndpointAndGrpcMethodDeclaresItsAuditActionOrThatItTouchesNoPatientData()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args =
            [
                $"--Chronicle:DataDirectory={_data}", "--Chronicle:Transport=direct", "--Chronicle:AppId=record",
                $"--{TestAppApiToken.Setting}={TestAppApiToken.Value}", "--Chronicle:Security:Authority=http://127.0.0.1:9",
            ],
        });
        var settings = RecordHostSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings); // as the command line registers it with the storage
        await using var app = RecordService.Compose(builder, settings);

        var declared = EndpointDeclarations.Of(app);

        Assert.True(declared.All(d => d.Value != EndpointDeclarations.Undeclared),
            "Undeclared: " + string.Join("; ", declared.Where(d => d.Value == EndpointDeclarations.Undeclared).Select(d => d.Key)));
        Assert.All(EndpointDeclarations.MethodsOf(PatientRecord.Descriptor, RecordReplay.Descriptor),
            method => Assert.StartsWith("Audited ", declared[method], StringComparison.Ordinal));
        Assert.Equal("Audited Read", declared["/chronicle.record.v1.PatientRecord/GetRecord"]);
        Assert.Equal("Audited Create", declared["/chronicle.record.v1.PatientRecord/RegisterPatient"]);
        Assert.Equal("Audited EnteredInError", declared["/chronicle.record.v1.PatientRecord/MarkEnteredInError"]);
        Assert.Equal("Audited History", declared["/chronicle.record.v1.PatientRecord/GetHistory"]);
        Assert.Equal("Audited Read", declared["GET,HEAD /fhir/{type}/{id}"]);
        Assert.Equal("Audited Search", declared["POST /fhir/{type}/_search"]);
        Assert.Equal("Audited Everything", declared["GET,HEAD /fhir/Patient/{id}/$everything"]);
        Assert.Equal("Audited VRead", declared["GET,HEAD /fhir/{type}/{id}/_history/{versionId}"]);
        Assert.Equal("AuditedAsFhirInteraction", declared["/fhir/{**path}"]);
        Assert.Equal("NoPatientData", declared["GET,HEAD /fhir/metadata"]);
        Assert.Equal("NoPatientData", declared["/dapr.proto.runtime.v1.AppCallback/OnTopicEvent"]);
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
