using System.Net;
using Chronicle.Contracts.Record.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Chronicle.Identity.Tests;

/// <summary>The real Record's and Audit service's endpoints: every FHIR interaction kind, every gRPC method, the auditors' APIs.</summary>
public enum RealEndpoint
{
    RecordFhirRead,
    RecordFhirVRead,
    RecordFhirHistory,
    RecordFhirSearch,
    RecordFhirEverything,
    RecordRegisterPatient,
    RecordUpdateDemographics,
    RecordRecordConsultation,
    RecordResolveProblem,
    RecordMarkEnteredInError,
    RecordGetRecord,
    RecordGetRecordAsAt,
    RecordGetHistory,
    RecordReplayAsAt,
    AuditEventSearch,
    AuditEventRead,
    AuditVerify,
    AuditEntries,
    AuditReplayAsAt,
    AuditReplayHistory,
}

public static class RealServiceEndpoints
{
    public static readonly RealEndpoint[] All = Enum.GetValues<RealEndpoint>();

    /// <summary>Calls one endpoint about <paramref name="patientId"/>; gRPC statuses come back as their HTTP equivalents.</summary>
    public static async Task<CallResult> CallAsync(RealEndpoint endpoint, RealServicesFixture services, string? token, string patientId)
    {
        if (Grpc(endpoint) is { } call)
        {
            using var channel = GrpcChannel.ForAddress(services.RecordGrpc);
            try
            {
                await call(channel, RealServicesFixture.Bearer(token), patientId);
                return new CallResult(200, "", null, StatusCode.OK, null);
            }
            catch (RpcException e)
            {
                return new CallResult(e.StatusCode switch
                {
                    StatusCode.Unauthenticated => 401,
                    StatusCode.PermissionDenied => 403,
                    StatusCode.NotFound => 404,
                    StatusCode.InvalidArgument or StatusCode.FailedPrecondition => 400,
                    _ => 500,
                }, e.Status.Detail, null, e.StatusCode, null);
            }
        }

        var uri = endpoint switch
        {
            RealEndpoint.RecordFhirRead => new Uri(services.RecordFhir, $"Patient/{patientId}"),
            RealEndpoint.RecordFhirVRead => new Uri(services.RecordFhir, $"Patient/{patientId}/_history/1"),
            RealEndpoint.RecordFhirHistory => new Uri(services.RecordFhir, $"Patient/{patientId}/_history"),
            RealEndpoint.RecordFhirSearch => new Uri(services.RecordFhir, $"Observation?patient={patientId}"),
            RealEndpoint.RecordFhirEverything => new Uri(services.RecordFhir, $"Patient/{patientId}/$everything"),
            RealEndpoint.AuditEventSearch => new Uri(services.AuditHttp, $"fhir/AuditEvent?patient={patientId}"),
            RealEndpoint.AuditEventRead => new Uri(services.AuditHttp, "fhir/AuditEvent/1"),
            RealEndpoint.AuditVerify => new Uri(services.AuditHttp, "audit/verify"),
            RealEndpoint.AuditEntries => new Uri(services.AuditHttp, $"audit/entries?patient={patientId}"),
            RealEndpoint.AuditReplayAsAt => new Uri(services.AuditHttp, $"audit/replay/{patientId}/as-at?at={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}"),
            RealEndpoint.AuditReplayHistory => new Uri(services.AuditHttp, $"audit/replay/{patientId}/history"),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };
        using var http = RealServicesFixture.Http(token);
        using var response = await http.GetAsync(uri);
        return new CallResult((int)response.StatusCode, await response.Content.ReadAsStringAsync(), null, null,
            response.Headers.WwwAuthenticate.FirstOrDefault()?.ToString());
    }

    public static bool IsFhir(RealEndpoint endpoint) => endpoint.ToString().Contains("Fhir", StringComparison.Ordinal)
        || endpoint is RealEndpoint.AuditEventSearch or RealEndpoint.AuditEventRead;

    private static Func<GrpcChannel, Metadata, string, Task>? Grpc(RealEndpoint endpoint)
    {
        static PatientRecord.PatientRecordClient Client(GrpcChannel channel) => new(channel);
        var command = Guid.NewGuid().ToString();
        return endpoint switch
        {
            RealEndpoint.RecordRegisterPatient => async (c, h, p) => await Client(c).RegisterPatientAsync(new RegisterPatientRequest
            {
                CommandId = command, NhsNumber = "9434765935", GeneralPracticeOds = "A81001",
                Demographics = new Demographics { Name = new HumanName { Family = "Table", Given = { "Row" } }, BirthDate = "1990-01-01", Gender = "male" },
            }, h),
            RealEndpoint.RecordUpdateDemographics => async (c, h, p) => await Client(c).UpdateDemographicsAsync(new UpdateDemographicsRequest { CommandId = command, PatientId = p }, h),
            RealEndpoint.RecordRecordConsultation => async (c, h, p) => await Client(c).RecordConsultationAsync(new RecordConsultationRequest { CommandId = command, PatientId = p }, h),
            RealEndpoint.RecordResolveProblem => async (c, h, p) => await Client(c).ResolveProblemAsync(new ResolveProblemRequest { CommandId = command, PatientId = p }, h),
            RealEndpoint.RecordMarkEnteredInError => async (c, h, p) => await Client(c).MarkEnteredInErrorAsync(new MarkEnteredInErrorRequest { CommandId = command, PatientId = p }, h),
            RealEndpoint.RecordGetRecord => async (c, h, p) => await Client(c).GetRecordAsync(new GetRecordRequest { PatientId = p }, h),
            RealEndpoint.RecordGetRecordAsAt => async (c, h, p) => await Client(c).GetRecordAsAtAsync(
                new GetRecordAsAtRequest { PatientId = p, Time = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) }, h),
            RealEndpoint.RecordGetHistory => async (c, h, p) => await Client(c).GetHistoryAsync(new GetHistoryRequest { PatientId = p }, h),
            RealEndpoint.RecordReplayAsAt => async (c, h, p) => await new RecordReplay.RecordReplayClient(c).GetFhirRecordAsAtAsync(
                new GetFhirRecordAsAtRequest { PatientId = p, Time = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) }, h),
            _ => null,
        };
    }
}
