using System.Net.Http.Headers;
using System.Text;
using Chronicle.Contracts.Identity.V1;
using Chronicle.Contracts.Record.V1;
using Chronicle.Security;
using Grpc.Core;
using Grpc.Net.Client;

namespace Chronicle.Identity.Tests;

/// <summary>Every protected endpoint the tests exercise: the test service's FHIR interactions and gRPC method, and Identity's own APIs.</summary>
public enum Endpoint
{
    FhirReadPatient,
    FhirSearchObservation,
    FhirPatientEverything,
    FhirCreateObservation,
    GrpcGetRecord,
    IdentityAccessCheck,
    IdentityModuleAdmin,
}

/// <summary>One call's outcome; gRPC statuses are put as their HTTP equivalents (OK 200, UNAUTHENTICATED 401, PERMISSION_DENIED 403).</summary>
public sealed record CallResult(int Status, string Body, string? BreakGlass, StatusCode? GrpcStatus, string? WwwAuthenticate);

public static class ProtectedEndpoints
{
    public static readonly Endpoint[] All = Enum.GetValues<Endpoint>();

    public static async Task<CallResult> CallAsync(
        Endpoint endpoint, SecurityFixture fixture, string? token, string patientId, string? breakGlassReason = null)
    {
        switch (endpoint)
        {
            case Endpoint.GrpcGetRecord:
                return await GrpcAsync(fixture.Service.GrpcAddress, token, breakGlassReason, async (channel, headers) =>
                {
                    var call = new PatientRecord.PatientRecordClient(channel).GetRecordAsync(new GetRecordRequest { PatientId = patientId }, headers);
                    await call.ResponseAsync;
                    return (await call.ResponseHeadersAsync).GetValue(ProtectedService.BreakGlassEcho);
                });
            case Endpoint.IdentityAccessCheck:
                return await GrpcAsync(fixture.Identity.Grpc, token, null, async (channel, headers) =>
                {
                    await new Chronicle.Contracts.Identity.V1.Access.AccessClient(channel).CheckPatientAccessAsync(new CheckPatientAccessRequest { PatientId = patientId }, headers);
                    return null;
                });
        }

        using var http = new HttpClient();
        var (method, uri) = endpoint switch
        {
            Endpoint.FhirReadPatient => (HttpMethod.Get, new Uri(fixture.Service.FhirBase, $"Patient/{patientId}")),
            Endpoint.FhirSearchObservation => (HttpMethod.Get, new Uri(fixture.Service.FhirBase, $"Observation?patient={patientId}")),
            Endpoint.FhirPatientEverything => (HttpMethod.Get, new Uri(fixture.Service.FhirBase, $"Patient/{patientId}/$everything")),
            Endpoint.FhirCreateObservation => (HttpMethod.Post, new Uri(fixture.Service.FhirBase, $"Observation?patient={patientId}")),
            Endpoint.IdentityModuleAdmin => (HttpMethod.Get, new Uri(fixture.Identity.Http, "admin/practices/A81001/modules")),
            _ => throw new ArgumentOutOfRangeException(nameof(endpoint)),
        };
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        if (token is not null)
            request.Headers.Authorization = OAuthTestClient.Bearer(token);
        if (breakGlassReason is not null)
            request.Headers.Add(BreakGlass.Header, breakGlassReason);
        if (method == HttpMethod.Post)
            request.Content = new StringContent("""{"resourceType":"Observation","status":"final"}""", Encoding.UTF8, "application/fhir+json");
        using var response = await http.SendAsync(request);
        return new CallResult((int)response.StatusCode, await response.Content.ReadAsStringAsync(),
            response.Headers.TryGetValues(ProtectedService.BreakGlassEcho, out var echo) ? echo.Single() : null, null,
            response.Headers.WwwAuthenticate.ToString());
    }

    private static async Task<CallResult> GrpcAsync(Uri address, string? token, string? breakGlassReason,
        Func<GrpcChannel, Metadata, Task<string?>> call)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var headers = new Metadata();
        if (token is not null)
            headers.Add("authorization", "Bearer " + token);
        if (breakGlassReason is not null)
            headers.Add(BreakGlass.Header, breakGlassReason);
        try
        {
            var breakGlass = await call(channel, headers);
            return new CallResult(200, "", breakGlass, StatusCode.OK, null);
        }
        catch (RpcException e)
        {
            var status = e.StatusCode switch
            {
                StatusCode.Unauthenticated => 401,
                StatusCode.PermissionDenied => 403,
                StatusCode.InvalidArgument => 400,
                _ => 500,
            };
            return new CallResult(status, e.Status.Detail, null, e.StatusCode, null);
        }
    }
}
