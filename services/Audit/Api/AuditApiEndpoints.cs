using System.Net;
using System.Text.Json.Serialization;
using Chronicle.Audit.Chain;
using Chronicle.Audit.Fhir;
using Chronicle.Audit.Queries;
using Chronicle.Auditing;
using Chronicle.Fhir;
using Chronicle.Fhir.Http;
using Chronicle.Fhir.Search;
using Chronicle.Security;
using Grpc.Core;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Chronicle.Audit.Api;

public sealed record VerificationReport(bool Intact, long LinksChecked, long FirstSeq, long LastSeq, int CheckpointsChecked, ChainProblem? Problem, string Summary,
    long SignaturesChecked, long UnsignedLinks);

public sealed record EntriesPage(IReadOnlyList<ChainedAuditEntry> Entries, Uri? Next);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(VerificationReport))]
[JsonSerializable(typeof(EntriesPage))]
[JsonSerializable(typeof(ReplayedHistory))]
[JsonSerializable(typeof(ReplayedChanges))]
public sealed partial class AuditApiJsonContext : JsonSerializerContext;

/// <summary>
/// The auditors' HTTP API under <c>/audit</c>: verify the chain, query entries, replay a patient's record. Auditor role
/// only (<see cref="AuditorAccess"/>); every use, refusals included, is audited into the chain it reads.
/// </summary>
public static class AuditApiEndpoints
{
    public const string Prefix = "/audit";
    private static readonly SearchPaging Paging = new(DefaultCount: 100, MaxCount: 1000);

    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
        var audit = endpoints.MapGroup(Prefix);
        // A token that may read audit events (auditors get user/*.rs), then the auditor role (the filter below).
        audit.RequireFhirScope("AuditEvent", ScopeAccess.Read);
        audit.AddEndpointFilter(async (context, next) => AuditorAccess.Check(context.HttpContext) is { } refusal
            ? TypedResults.Problem(refusal.Reason, statusCode: refusal.Status, title: refusal.Status == 401 ? "Unauthorized" : "Forbidden")
            : await next(context).ConfigureAwait(false));

        audit.MapGet("/verify", VerifyAsync).Audited(AuditAction.Verify, "AuditLog");
        audit.MapGet("/entries", EntriesAsync).Audited(AuditAction.Search, "AuditEvent");
        audit.MapGet("/replay/{patientId}/history", (RecordReplayClient replay, HttpContext context, string patientId) =>
            ReplayAsync(async () => TypedResults.Json(await replay.HistoryAsync(patientId, AuditorAccess.ForwardedIdentity(context), context.RequestAborted)
                .ConfigureAwait(false), AuditApiJsonContext.Default.ReplayedHistory))).Audited(AuditAction.Replay, "Patient");
        audit.MapGet("/replay/{patientId}/changes", (RecordReplayClient replay, HttpContext context, string patientId, string? from, string? to) =>
            ReplayAsync(async () =>
            {
                var start = RecordReplayClient.StartOf(from, "from") ?? DateTimeOffset.UnixEpoch;
                var end = RecordReplayClient.EndOf(to, "to") ?? DateTimeOffset.UtcNow;
                return TypedResults.Json(await replay.ChangesAsync(patientId, start, end, AuditorAccess.ForwardedIdentity(context), context.RequestAborted)
                    .ConfigureAwait(false), AuditApiJsonContext.Default.ReplayedChanges);
            })).Audited(AuditAction.Replay, "Patient");
        audit.MapGet("/replay/{patientId}/as-at", AsAtAsync).Audited(AuditAction.Replay, "Patient");
        return audit;
    }

    private static async Task<Results<JsonHttpResult<VerificationReport>, ProblemHttpResult>> VerifyAsync(
        AuditChainVerifier verifier, HttpContext context, long? from, long? to)
    {
        if (from < 1 || to < (from ?? 1))
            return TypedResults.Problem("'from' must be 1 or more and 'to' not before it (sequence numbers).", statusCode: 400);
        var result = await verifier.VerifyAsync(from ?? 1, to, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Json(new VerificationReport(result.Intact, result.LinksChecked, result.FirstSeq, result.LastSeq, result.CheckpointsChecked,
            result.Problem, AuditCommandLine.Describe(result), result.SignaturesChecked, result.UnsignedLinks), AuditApiJsonContext.Default.VerificationReport);
    }

    private static async Task<Results<JsonHttpResult<EntriesPage>, ProblemHttpResult>> EntriesAsync(AuditQueryReadModel queries, HttpRequest request)
    {
        try
        {
            var parameters = await FhirSearchParameters.ReadAsync(request).ConfigureAwait(false);
            var (_, page, next, _) = await AuditSearch.RunAsync(queries, request, parameters,
                FhirRequestUrls.Origin(request) + request.Path, Paging).ConfigureAwait(false);
            return TypedResults.Json(new EntriesPage(page, next), AuditApiJsonContext.Default.EntriesPage);
        }
        catch (FhirException e)
        {
            return TypedResults.Problem(e.Message, statusCode: (int)e.Status);
        }
    }

    private static async Task<IResult> AsAtAsync(RecordReplayClient replay, HttpContext context, string patientId, string? at)
    {
        try
        {
            var moment = RecordReplayClient.EndOf(at, "at") ?? throw new ArgumentException("'at' is required: the moment to replay the record at.");
            var baseUrl = $"{FhirRequestUrls.Origin(context.Request)}{Prefix}/replay/{patientId}";
            return FhirResults.Resource(await replay.AsAtAsync(patientId, moment, baseUrl, AuditorAccess.ForwardedIdentity(context), context.RequestAborted)
                .ConfigureAwait(false));
        }
        catch (ArgumentException e)
        {
            return FhirResults.Outcome(FhirException.BadRequest(e.Message));
        }
        catch (RpcException e)
        {
            var (status, _) = Problem(e);
            return FhirResults.Outcome(new FhirException((HttpStatusCode)status,
                status == 404 ? OperationOutcome.IssueType.NotFound : status == 400 ? OperationOutcome.IssueType.Invalid : OperationOutcome.IssueType.Transient,
                e.Status.Detail));
        }
    }

    private static async Task<IResult> ReplayAsync(Func<Task<IResult>> replay)
    {
        try
        {
            return await replay().ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return TypedResults.Problem(e.Message, statusCode: 400);
        }
        catch (RpcException e)
        {
            var (status, detail) = Problem(e);
            return TypedResults.Problem(detail, statusCode: status);
        }
    }

    /// <summary>The Record's answer as the auditor's: its refusals keep their meaning, its absence is a 503.</summary>
    private static (int Status, string Detail) Problem(RpcException e) => e.StatusCode switch
    {
        StatusCode.NotFound => (404, e.Status.Detail),
        StatusCode.InvalidArgument => (400, e.Status.Detail),
        StatusCode.PermissionDenied => (403, e.Status.Detail),
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => (503, $"The Record service cannot be reached to replay from: {e.Status.Detail}"),
        _ => (502, $"The Record service failed the replay: {e.StatusCode} {e.Status.Detail}"),
    };
}
